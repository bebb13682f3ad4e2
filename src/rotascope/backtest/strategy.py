"""Strategy files: safe YAML loading, validation, errors that point at file:line:column.

A strategy file (``version: 1``) lists strategies. Each has an ``id``, a ``rebalance``
frequency (``daily`` | ``weekly`` | ``monthly``: the last session of the period) and
either fixed weights switched by a condition, or a ranking over a universe::

    strategies:
      - id: rsp-when-broadening
        when: ratio(RSP, SPY).pct_vs_sma50 > 0     # the alert condition language
        hold: {RSP: 1.0}
        otherwise: {SPY: 1.0}
      - id: sector-momentum
        universe: sectors
        rank: perf($, 3m)                           # $ = each member of the universe
        top: 3
        rebalance: monthly
        costs_bps: 5

Conditions are parsed and type-checked by :mod:`rotascope.rules` (never ``eval``'d);
the ranking expression is an arithmetic expression of indicators of ``$``
(``perf($, 3m)``, ``perf($, 6m) - perf($, 1m)``, ``-worst_decline($, 10)``) evaluated
on the whole members matrix at once. ``CASH`` is an asset (0 return, or the T-bill
series named by ``cash:``).
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from ..errors import RuleError
from ..rules import ConditionSyntaxError, check_condition, parse_condition
from ..rules.grammar import Arith, Call, Name, Neg, Node, Number, Window
from ..rules.locations import Location, Problem
from ..signals.registry import INDICATORS

__all__ = ["CASH", "REBALANCE", "Location", "Problem", "StrategyFileError", "Strategy",
           "RankSpec", "parse_strategies", "load_strategies", "MEMBER"]

CASH = "CASH"
REBALANCE = ("daily", "weekly", "monthly")
#: The placeholder ``$`` is parsed as this one-character name (same offsets).
MEMBER = "_"
_INDICATORS = {ind.name: ind for ind in INDICATORS}
_KEYS = ("id", "description", "rebalance", "when", "hold", "otherwise", "universe", "rank",
         "top", "costs_bps", "benchmark", "cash")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")
_TICKER_RE = re.compile(r"^\^?[A-Z0-9][A-Z0-9_.]*(-[A-Z0-9]+)*$")


class StrategyFileError(RuleError):
    """A strategy file is malformed; ``problems`` lists every problem (nothing ran)."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = sorted(problems, key=lambda p: (p.location.line, p.location.column))
        n = len(self.problems)
        head = f"{path}: {n} problem{'s' if n != 1 else ''} in the strategy file; nothing ran"
        super().__init__(head + "\n" + "\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class RankSpec:
    """A ranking expression of ``$``: its text, tree, and the indicator calls it reads."""

    text: str
    tree: Node


@dataclass(frozen=True)
class Strategy:
    """One validated strategy (see the module docstring for the fields)."""

    id: str
    rebalance: str = "daily"
    description: str = ""
    when: str | None = None
    when_tree: Node | None = None
    hold: dict[str, float] = field(default_factory=dict)
    otherwise: dict[str, float] = field(default_factory=dict)
    universe: str | None = None
    rank: RankSpec | None = None
    top: int = 1
    costs_bps: float = 0.0
    benchmark: str = "SPY"
    cash: str | None = None
    location: Location | None = None

    @property
    def tickers(self) -> list[str]:
        """Fixed tickers the strategy reads (weights, benchmark, cash; not universe members)."""
        out = [t for t in (*self.hold, *self.otherwise) if t != CASH]
        out.append(self.benchmark)
        if self.cash:
            out.append(self.cash)
        return list(dict.fromkeys(out))

    @property
    def ranking(self) -> tuple[RankSpec, str]:
        """(rank, universe) of a ranking strategy (the parser requires both together)."""
        if self.rank is None or self.universe is None:
            raise RuleError(f"strategy {self.id!r} has no 'rank' and 'universe'")
        return self.rank, self.universe

    def with_params(self, **params: Any) -> Strategy:
        """A copy with numeric fields replaced (``top``, ``costs_bps``, ``rebalance``,
        ``lookback`` = the window of every indicator call of the ranking)."""
        lookback = params.pop("lookback", None)
        out = replace(self, **params)
        if lookback is not None:
            if out.rank is None:
                raise ValueError(f"strategy {self.id!r}: 'lookback' needs a 'rank'")
            out = replace(out, rank=RankSpec(out.rank.text, _with_window(out.rank.tree,
                                                                      int(lookback))))
        return out


def _with_window(node: Node, rows: int) -> Node:
    if isinstance(node, Call):
        args = list(node.args)
        if len(args) >= 2 and isinstance(args[1], (Window, Number)):
            args[1] = Window(args[1].start, args[1].end, f"{rows}d", rows)
        return replace(node, args=tuple(_with_window(a, rows) for a in args))
    if isinstance(node, Arith):
        return replace(node, left=_with_window(node.left, rows),
                       right=_with_window(node.right, rows))
    if isinstance(node, Neg):
        return replace(node, operand=_with_window(node.operand, rows))
    return node


# -- reading -----------------------------------------------------------------------------

def _suggest(word: str, options: Any) -> str:
    close = difflib.get_close_matches(word, list(options), n=2, cutoff=0.6)
    return f"; did you mean {' or '.join(close)}?" if close else ""


class _Reader:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.lines = text.splitlines()
        self.problems: list[Problem] = []
        self._constructor = yaml.constructor.SafeConstructor()
        self._line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def problem_at(self, line: int, col: int, message: str, width: int = 1) -> None:
        src = self.lines[line] if 0 <= line < len(self.lines) else None
        self.problems.append(Problem(Location(self.path, line + 1, col + 1), message, src,
                                     width))

    def problem(self, node: yaml.Node, message: str) -> None:
        mark = node.start_mark
        width = max(1, node.end_mark.column - mark.column) \
            if node.end_mark.line == mark.line else 1
        self.problem_at(mark.line, mark.column, message, width)

    def scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return _NOT_SCALAR
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self.problem(node, f"cannot read this value: {exc}")
            return _NOT_SCALAR

    def mapping(self, node: yaml.Node, what: str, allowed: tuple[str, ...] | None = None
                ) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping (key: value lines)")
            return None
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for knode, vnode in node.value:
            key = knode.value if isinstance(knode, yaml.ScalarNode) else None
            if not isinstance(key, str) or key == "<<":
                self.problem(knode, f"{what}: keys must be plain names (no merge keys)")
                continue
            if key in out:
                self.problem(knode, f"{what}: duplicate key {key!r} (first on line "
                                    f"{out[key][0].start_mark.line + 1})")
                continue
            if allowed is not None and key not in allowed:
                self.problem(knode, f"{what}: unknown key {key!r}; allowed: "
                                    f"{', '.join(allowed)}" + _suggest(key, allowed))
                continue
            out[key] = (knode, vnode)
        return out

    def positions(self, node: yaml.ScalarNode, value: str) -> list[tuple[int, int]]:
        """(line, column) of each character of a plain or quoted scalar (+ one past)."""
        begin = node.start_mark.index
        src = self.text[begin:node.end_mark.index]
        p = 1 if node.style in ('"', "'") else 0
        if node.style in ("|", ">"):
            nl = src.find("\n")
            p = nl + 1 if nl >= 0 else len(src)
        out, last = [], begin + p - 1
        for ch in value:
            q = src.find(ch, p) if not ch.isspace() else (p if src[p:p + 1] == ch else -1)
            last = begin + q if q >= 0 else last + 1
            if q >= 0:
                p = q + 1
            out.append(last)
        out.append(last + 1)
        res = []
        for idx in out:
            line = bisect.bisect_right(self._line_starts, idx) - 1
            res.append((line, idx - self._line_starts[line]))
        return res


_NOT_SCALAR = object()


def _weights(r: _Reader, node: yaml.Node, what: str, known: set[str] | None
             ) -> dict[str, float]:
    fields = r.mapping(node, what)
    out: dict[str, float] = {}
    if fields is None:
        return out
    for key, (knode, vnode) in fields.items():
        ticker = key.strip().upper()
        if ticker != CASH and not _TICKER_RE.match(ticker):
            r.problem(knode, f"{what}: {key!r} is not a ticker")
            continue
        if known is not None and ticker != CASH and ticker not in known:
            r.problem(knode, f"{what}: no prices for {ticker!r} in the store"
                      + _suggest(ticker, known))
            continue
        value = r.scalar(vnode)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                -10.0 <= float(value) <= 10.0) or value != value:
            r.problem(vnode, f"{what}: the weight of {ticker} must be a number between -10 "
                             f"and 10, got {value if value is not _NOT_SCALAR else 'a list'}")
            continue
        out[ticker] = float(value)
    if out and sum(abs(w) for k, w in out.items() if k != CASH) > 10.0 + 1e-12:
        r.problem(node, f"{what}: gross exposure above 10x")
    return out


def _check_rank(tree: Node, text: str, at: Callable[[int, int, str], None]) -> bool:
    ok = True

    def visit(node: Node) -> None:
        nonlocal ok
        if isinstance(node, Number):
            return
        if isinstance(node, Neg):
            visit(node.operand)
            return
        if isinstance(node, Arith):
            visit(node.left)
            visit(node.right)
            return
        if isinstance(node, Call) and node.explicit:
            ind = _INDICATORS.get(node.func)
            if ind is None:
                ok = False
                at(node.start, node.start + len(node.func),
                   f"rank: {node.func!r} is not a number-valued indicator; use one of "
                   f"{', '.join(sorted(_INDICATORS))}" + _suggest(node.func, _INDICATORS))
                return
            if not node.args or not (isinstance(node.args[0], Name)
                                     and node.args[0].name == MEMBER):
                ok = False
                at(node.start, node.end, f"rank: the first argument of {node.func}() must "
                                         "be $ (each member of the universe)")
                return
            try:
                _bind_indicator(ind, node)
            except ValueError as exc:
                ok = False
                at(node.start, node.end, f"rank: {exc}")
            return
        ok = False
        at(node.start, node.end, "rank: use indicators of $ (perf($, 3m)), numbers and "
                                 "+ - * /")

    visit(tree)
    return ok


def _bind_indicator(ind: Any, node: Call) -> dict[str, Any]:
    """Bind a call's arguments after ``$`` to the indicator's parameters."""
    params = list(ind.params)
    values: dict[str, Any] = {}
    rest = list(node.args[1:])
    if len(rest) > len(params):
        raise ValueError(f"{ind.name}() takes at most {len(params)} argument(s) after $")
    named: dict[str, Node | None] = dict(node.kwargs)
    for p, positional in zip(params, rest, strict=False):
        named.setdefault(p.name, positional)
    for p in params:
        arg = named.pop(p.name, None)
        if arg is None:
            if p.required:
                raise ValueError(f"{ind.name}() needs {p.name} ({p.describe()})")
            values[p.name] = p.default
            continue
        if p.kind in ("rows", "window"):
            if isinstance(arg, Window):
                v: Any = arg.rows
            elif isinstance(arg, Number) and float(arg.value).is_integer() and not arg.percent:
                v = int(arg.value)
            elif p.kind == "window" and isinstance(arg, Name) and arg.name == "ytd":
                v = "ytd"
            else:
                raise ValueError(f"{ind.name}(): {p.name} must be {p.describe()}")
            if v != "ytd" and not ((p.minimum or 1) <= v <= (p.maximum or 25_200)):
                raise ValueError(f"{ind.name}(): {p.name} = {v} rows is out of range")
            values[p.name] = v
        elif p.kind == "number":
            if not isinstance(arg, Number):
                raise ValueError(f"{ind.name}(): {p.name} must be a number")
            values[p.name] = float(arg.value)
        elif p.kind == "choice":
            v = arg.name if isinstance(arg, Name) else getattr(arg, "value", None)
            if v not in p.choices:
                raise ValueError(f"{ind.name}(): {p.name} must be one of {', '.join(p.choices)}")
            values[p.name] = v
        else:
            raise ValueError(f"{ind.name}(): parameter {p.name} is not supported in a rank")
    if named:
        raise ValueError(f"{ind.name}(): unknown argument(s) {', '.join(named)}")
    return values


def _condition(r: _Reader, node: yaml.Node, label: str, known: set[str] | None,
               universe_problem: Any) -> tuple[str, Node] | None:
    text = r.scalar(node)
    if not isinstance(text, str):
        r.problem(node, f"{label}: 'when' must be a condition (text)")
        return None
    pos = r.positions(node, text)

    def at(s: int, e: int, message: str) -> None:
        line, col = pos[max(0, min(s, len(pos) - 1))]
        eline, ecol = pos[max(0, min(e, len(pos) - 1))]
        r.problem_at(line, col, f"{label}: {message}",
                     max(1, ecol - col) if eline == line and e > s else 1)

    try:
        tree = parse_condition(text)
    except ConditionSyntaxError as exc:
        at(exc.problem.offset, exc.problem.offset + 1, f"syntax: {exc.problem.message}")
        return None
    issues, _ = check_condition(tree, known_tickers=known, universe_problem=universe_problem)
    for issue in issues:
        at(issue.start, issue.end, issue.message)
    return None if issues else (text, tree)


def _strategy(r: _Reader, item: yaml.Node, known: set[str] | None, universe_problem: Any
              ) -> Strategy | None:
    fields = r.mapping(item, "a strategy", _KEYS)
    if fields is None:
        return None
    n0 = len(r.problems)
    sid = None
    if "id" not in fields:
        r.problem(item, "a strategy needs an 'id'")
    else:
        sid = r.scalar(fields["id"][1])
        if not isinstance(sid, str) or not _ID_RE.match(sid):
            r.problem(fields["id"][1], "id: use letters, digits and _ . : - (at most 100)")
            sid = None
    label = f"strategy {sid!r}" if sid else "strategy"
    kw: dict[str, Any] = {}

    def text_field(name: str, choices: tuple[str, ...] | None = None) -> str | None:
        if name not in fields:
            return None
        v = r.scalar(fields[name][1])
        if not isinstance(v, str) or not v.strip():
            r.problem(fields[name][1], f"{label}: {name} must be text")
            return None
        if choices and v not in choices:
            r.problem(fields[name][1], f"{label}: {name} must be one of {', '.join(choices)}, "
                                       f"got {v!r}" + _suggest(v, choices))
            return None
        return v.strip()

    kw["rebalance"] = text_field("rebalance", REBALANCE) or "daily"
    kw["description"] = text_field("description") or ""
    for name in ("benchmark", "cash"):
        v = text_field(name)
        if v is not None:
            v = v.upper()
            if known is not None and v not in known:
                r.problem(fields[name][1], f"{label}: no prices for {name} {v!r} in the store"
                          + _suggest(v, known))
            else:
                kw[name] = v
    if "costs_bps" in fields:
        v = r.scalar(fields["costs_bps"][1])
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 10_000:
            r.problem(fields["costs_bps"][1], f"{label}: costs_bps must be a number of basis "
                                              "points between 0 and 10000")
        else:
            kw["costs_bps"] = float(v)
    for name in ("hold", "otherwise"):
        if name in fields:
            kw[name] = _weights(r, fields[name][1], f"{label}: {name}", known)
    if "when" in fields:
        got = _condition(r, fields["when"][1], f"{label}: when", known, universe_problem)
        if got is not None:
            kw["when"], kw["when_tree"] = got
    if "rank" in fields:
        if "universe" not in fields:
            r.problem(fields["rank"][0], f"{label}: 'rank' needs a 'universe'")
        node = fields["rank"][1]
        text = r.scalar(node)
        if not isinstance(text, str):
            r.problem(node, f"{label}: rank must be an expression like perf($, 3m)")
        else:
            pos = r.positions(node, text)

            def at(s: int, e: int, message: str) -> None:
                line, col = pos[max(0, min(s, len(pos) - 1))]
                eline, ecol = pos[max(0, min(e, len(pos) - 1))]
                r.problem_at(line, col, f"{label}: {message}",
                             max(1, ecol - col) if eline == line and e > s else 1)

            try:
                tree = parse_condition(text.replace("$", MEMBER))
            except ConditionSyntaxError as exc:
                at(exc.problem.offset, exc.problem.offset + 1, f"rank syntax: "
                   f"{exc.problem.message}")
            else:
                if _check_rank(tree, text, at):
                    kw["rank"] = RankSpec(text, tree)
        if "hold" in fields and "when" not in fields:
            r.problem(fields["hold"][0], f"{label}: with 'rank', 'hold' needs a 'when' "
                                         "(rank when true, hold otherwise is 'otherwise')")
    if "universe" in fields:
        u = text_field("universe")
        if u is not None:
            msg = universe_problem(u) if universe_problem else None
            if msg:
                r.problem(fields["universe"][1], f"{label}: {msg}")
            kw["universe"] = u
        if "rank" not in fields:
            r.problem(fields["universe"][0], f"{label}: 'universe' needs a 'rank'")
    if "top" in fields:
        v = r.scalar(fields["top"][1])
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 1000:
            r.problem(fields["top"][1], f"{label}: top must be a whole number from 1 to 1000")
        else:
            kw["top"] = v
    if "rank" not in fields and "hold" not in fields:
        r.problem(item, f"{label} needs 'hold' (with an optional 'when' and 'otherwise') "
                        "or 'universe' + 'rank' + 'top'")
    if "rank" not in fields and "otherwise" in fields and "when" not in fields:
        r.problem(fields["otherwise"][0], f"{label}: 'otherwise' needs a 'when'")
    if len(r.problems) > n0 or sid is None:
        return None
    mark = item.start_mark
    return Strategy(id=sid, location=Location(r.path, mark.line + 1, mark.column + 1), **kw)


def parse_strategies(text: str, path: str | Path = "<strategies>", *,
                     known_tickers: set[str] | None = None,
                     universe_problem: Callable[[str], str | None] | None = None,
                     ) -> list[Strategy]:
    """Parse and validate a strategy file's text.

    Parameters
    ----------
    text : the YAML text (read with ``yaml.compose``: plain data, no tags, no code).
    path : shown in error locations.
    known_tickers : tickers with prices (None skips the check).
    universe_problem : returns a message for an unknown universe name, else None.

    Raises
    ------
    StrategyFileError
        Every problem found, each as ``file:line:column: message`` (exit code of
        :class:`~rotascope.errors.RuleError`).
    """
    r = _Reader(str(path), text)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        r.problem_at(mark.line if mark else 0, mark.column if mark else 0,
                     f"YAML syntax: {getattr(exc, 'problem', None) or exc}")
        raise StrategyFileError(str(path), r.problems) from None
    if root is None:
        r.problem_at(0, 0, "the file is empty; it needs 'version: 1' and 'strategies:'")
        raise StrategyFileError(str(path), r.problems)
    for node in _walk_nodes(root):
        if node.tag.startswith("!") or node.tag.startswith("tag:yaml.org,2002:python"):
            r.problem(node, f"YAML tags are not allowed ({node.tag})")
    top = r.mapping(root, "the file", ("version", "strategies"))
    out: list[Strategy] = []
    if top is not None:
        if "version" not in top:
            r.problem(root, "the file needs 'version: 1'")
        elif r.scalar(top["version"][1]) != 1:
            r.problem(top["version"][1], "version must be 1")
        if "strategies" not in top:
            r.problem(root, "the file needs a 'strategies:' list")
        else:
            seq = top["strategies"][1]
            if not isinstance(seq, yaml.SequenceNode) or not seq.value:
                r.problem(seq, "'strategies' must be a non-empty list")
            else:
                seen: dict[str, int] = {}
                for item in seq.value:
                    s = _strategy(r, item, known_tickers, universe_problem)
                    if s is None:
                        continue
                    if s.id in seen:
                        r.problem(item, f"duplicate strategy id {s.id!r} (first on line "
                                        f"{seen[s.id]})")
                        continue
                    seen[s.id] = item.start_mark.line + 1
                    out.append(s)
    if r.problems:
        raise StrategyFileError(str(path), r.problems)
    return out


def _walk_nodes(node: yaml.Node) -> Any:
    stack, seen = [node], set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        yield n
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                stack.extend((k, v))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)


def load_strategies(path: str | Path, **kwargs: Any) -> list[Strategy]:
    """Read and validate a strategy file (see :func:`parse_strategies`)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StrategyFileError(str(p), [Problem(Location(str(p), 1, 1),
                                                 f"cannot read the file: {exc}")]) from None
    return parse_strategies(text, p, **kwargs)
