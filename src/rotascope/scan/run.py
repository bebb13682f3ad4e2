"""Run a compiled scan over a universe's point-in-time members, on one process or Dask.

Steps (the same for both engines):

1. :func:`prepare`: from the market view, the members (every ticker that was a member
   on some date up to as-of, with prices), the dates (union of their closes), the
   membership mask, the closes of the single tickers the condition reads (``legs``),
   and the ``$``-free sub-expressions evaluated once by the alert evaluator (``fixed``).
2. per block of member columns: :func:`scan_block` evaluates the condition on the whole
   block matrix (:mod:`.frame_eval`) and keeps only what the answer needs (matches on
   the as-of date, the values read, entries in the window).
3. :func:`merge`: blocks are joined; indicators are per column, so blocks by ticker
   give exactly the single-block answer.

A ticker matches only on dates it is a member (the mask); ``evaluated`` is the number
of members on the as-of date.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import NoDataError, ParameterError
from ..rules.evaluate import _bind, _Evaluator
from ..rules.functions import REGISTRY, EvalContext
from ..rules.grammar import Call, Name, Node, walk
from .compile import CompiledScan
from .frame_eval import FrameInputs, Truth, evaluate_frame, fixed_nodes, node_key

#: Computes a universe's breadth history on a market view (``universe_breadth``'s
#: contract); the Dask engine passes one that runs as a tree reduction over blocks.
BreadthSource = Callable[["MarketView", str], pd.DataFrame]

if TYPE_CHECKING:
    from ..market_view import MarketView

__all__ = ["ScanPlan", "BlockResult", "ScanResult", "prepare", "scan_block", "merge",
           "block_inputs", "breadth_universes", "BreadthSource"]


@dataclass
class ScanPlan:
    """What every block shares: dates, legs and fixed values on those dates, the as-of
    row and the entries window (row positions, inclusive), and the members."""

    scan: CompiledScan
    universe: str
    index: pd.DatetimeIndex
    tickers: list[str]
    legs: dict[str, np.ndarray]
    fixed: dict[str, Any]
    row: int
    window: tuple[int, int] | None


@dataclass
class BlockResult:
    """One block's answer (small: nothing of the size of the matrix)."""

    matches: list[str]
    values: dict[str, dict[str, Any]]
    sort_values: dict[str, float]
    entries: dict[str, list[pd.Timestamp]]
    evaluated: int


@dataclass(frozen=True)
class ScanResult:
    """A scan's answer. ``matches`` is sorted by ticker, or by the sort expression
    (descending, unknown last) when there is one; ``entries`` (with a window) maps each
    ticker to the dates it newly matched."""

    as_of: pd.Timestamp
    universe: str
    condition: str
    evaluated: int
    matches: list[str]
    values: dict[str, dict[str, Any]]
    entries: dict[str, list[pd.Timestamp]] | None = None
    sort: str | None = None
    window: tuple[pd.Timestamp, pd.Timestamp] | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "as_of": self.as_of.strftime("%Y-%m-%d"),
            "universe": self.universe,
            "condition": self.condition,
            "evaluated": self.evaluated,
            "matches": list(self.matches),
            "values": {t: dict(self.values.get(t, {})) for t in self.matches},
        }
        if self.entries is not None:
            out["entries"] = {t: [d.strftime("%Y-%m-%d") for d in ds]
                              for t, ds in sorted(self.entries.items())}
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per match (in order), one column per value read."""
        rows = [self.values.get(t, {}) for t in self.matches]
        return pd.DataFrame(rows, index=pd.Index(self.matches, name="ticker"))


# -- preparation -----------------------------------------------------------------------

def _to_column(value: Any, index: pd.DatetimeIndex) -> Any:
    """A ``$``-free value (series or scalar) on the scan's dates, as a column."""
    if not isinstance(value, pd.Series):
        return value
    if isinstance(value.dtype, pd.BooleanDtype):
        s = value[~value.index.duplicated()].reindex(index)
        known = s.notna().to_numpy()
        val = s.fillna(False).to_numpy(dtype=bool) & known
        return Truth(val[:, None], known[:, None])
    s = value.astype(np.float64).reindex(index)
    return s.to_numpy(dtype=np.float64)[:, None]


def breadth_universes(trees: Sequence[Node]) -> list[str]:
    """The universes read by ``breadth(...)`` calls in ``trees``, in order, once each."""
    out: list[str] = []
    for tree in trees:
        for node in walk(tree):
            if isinstance(node, Call) and node.func == "breadth":
                bound, _ = _bind(REGISTRY["breadth"], node)
                arg = bound["universe"]
                name = arg.name if isinstance(arg, Name) else arg.value  # type: ignore[attr-defined]
                if name not in out:
                    out.append(name)
    return out


def prepare(market: MarketView, scan: CompiledScan, universe: str, *,
            start: Any = None, end: Any = None, index: pd.DatetimeIndex | None = None,
            breadth: BreadthSource | None = None
            ) -> tuple[ScanPlan, pd.DataFrame | None, np.ndarray]:
    """The plan, the members' closes and the point-in-time mask.

    ``start``/``end`` ask for entries between the two dates (``end`` defaults to the
    view's as-of date; the matches are those of ``end``). With ``index`` (the members'
    dates, known from elsewhere, e.g. a Parquet dataset) the closes are not loaded and
    come back as None. ``breadth`` computes the breadth histories the condition reads
    (default: the alert evaluator's, in this process).
    """
    market.universe(universe)  # UnknownUniverseError names the known universes
    tickers = sorted(market.present(market.ever_members(universe)))
    if not tickers:
        raise NoDataError(f"scan: universe {universe!r} has no member with prices in the "
                          "store; import its members' prices first")
    as_of = market.as_of if end is None else pd.Timestamp(end).normalize()
    if as_of > market.as_of:
        raise ParameterError(f"scan: --to {as_of:%Y-%m-%d} is after the as-of date "
                             f"{market.as_of:%Y-%m-%d}")
    close = None
    if index is None:
        close = market.close(tickers).loc[:as_of]
        index = pd.DatetimeIndex(close.index)
    index = pd.DatetimeIndex(index[index <= as_of])
    if not len(index):
        raise NoDataError(f"scan: no closes of {universe!r} members up to {as_of:%Y-%m-%d}")
    row = int(index.searchsorted(as_of, side="right")) - 1
    window = None
    if start is not None:
        lo = int(index.searchsorted(pd.Timestamp(start).normalize(), side="left"))
        if lo > row:
            raise ParameterError(f"scan: --from {pd.Timestamp(start):%Y-%m-%d} is after "
                                 f"--to {index[row]:%Y-%m-%d}")
        window = (lo, row)
    legs = {}
    for leg in scan.legs:
        legs[leg] = market.close([leg])[leg].reindex(index).to_numpy(dtype=np.float64)
    ctx = EvalContext(market.at(index[row]) if index[row] < market.as_of else market)
    trees = [scan.tree] + ([scan.sort_tree] if scan.sort_tree is not None else [])
    if breadth is not None:
        # the evaluator's breadth() reads its history from this cache entry
        for name in breadth_universes(trees):
            ctx.memo[f"<breadth history {name}>"] = breadth(ctx.market, name)
    ev = _Evaluator(ctx)
    fixed: dict[str, Any] = {}
    for tree in trees:
        for node in fixed_nodes(tree):
            fixed[node_key(node)] = _to_column(ev.value(ev.eval(node)), index)
    if market.universe(universe).point_in_time:
        mask = market.membership(universe, index, tickers).to_numpy(dtype=bool)
    else:  # a plain list: every member on every date (no mask to build)
        mask = np.broadcast_to(np.True_, (len(index), len(tickers)))
    plan = ScanPlan(scan, universe, index, tickers, legs, fixed, row, window)
    return plan, close, mask


def block_inputs(plan: ScanPlan, tickers: Sequence[str], close: np.ndarray) -> FrameInputs:
    return FrameInputs(plan.index, list(tickers), close, plan.legs, plan.fixed)


# -- one block ------------------------------------------------------------------------

def _scalar(v: Any) -> Any:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    f = float(v)
    return None if np.isnan(f) else f


def _previous_known(x: np.ndarray) -> np.ndarray:
    return pd.DataFrame(x).ffill().shift(1).to_numpy(dtype=np.float64)


def scan_block(plan: ScanPlan, tickers: Sequence[str], close: np.ndarray,
               mask: np.ndarray) -> BlockResult:
    """Evaluate the scan on one block of member columns (``close``/``mask`` on the
    plan's dates, columns ``tickers``)."""
    scan = plan.scan
    # one date: the logic runs on that row only; a window needs the whole history
    # (a ticker newly matches when the previous known value was not a match)
    r0 = plan.row if plan.window is None else 0
    truth, trace, sort_values = evaluate_frame(scan.tree, block_inputs(plan, tickers, close),
                                               sort=scan.sort_tree, first_row=r0)
    r0 = plan.row - (truth.value.shape[0] - 1) if plan.window is None else 0
    mask = mask[r0:]
    value = np.asarray(truth.value) & mask
    known = np.asarray(truth.known) & mask
    r = plan.row - r0
    hit = np.flatnonzero(value[r])
    names = list(tickers)
    values: dict[str, dict[str, Any]] = {names[j]: {} for j in hit}
    shape = value.shape
    for text, arr in trace.items():
        if isinstance(arr, Truth):
            rows = np.shape(arr.known)[0] if np.ndim(arr.known) == 2 else shape[0]
            rt = plan.row - (len(plan.index) - rows)  # a cut Truth starts later
            kn = np.broadcast_to(arr.known, (rows, shape[1]))[rt, hit]
            vals = np.broadcast_to(arr.value, (rows, shape[1]))[rt, hit]
            for j, k, v in zip(hit, kn, vals, strict=True):
                values[names[j]][text] = bool(v) if k else None
        else:
            full_shape = (len(plan.index), shape[1])
            row_vals = np.broadcast_to(arr, full_shape)[plan.row, hit]
            for j, v in zip(hit, row_vals, strict=True):
                values[names[j]][text] = _scalar(v)
    sorted_by: dict[str, float] = {}
    if sort_values is not None:
        assert scan.sort is not None
        for j in hit:
            v = _scalar(sort_values[r, j])
            values[names[j]][scan.sort] = v
            sorted_by[names[j]] = np.nan if v is None else float(v)
    entries: dict[str, list[pd.Timestamp]] = {}
    if plan.window is not None:
        lo, hi = plan.window
        level = np.where(known, value.astype(np.float64), np.nan)
        prev = _previous_known(level)
        new = (known & value & ~(prev == 1.0))[lo:hi + 1]
        rows, cols = np.nonzero(new.T)  # ticker-major: dates come out in order
        dates = plan.index[lo:hi + 1]
        for j, i in zip(rows, cols, strict=True):
            entries.setdefault(names[j], []).append(pd.Timestamp(dates[i]))
    return BlockResult([names[j] for j in hit], values, sorted_by, entries,
                       int(mask[r].sum()))


def merge(plan: ScanPlan, blocks: Sequence[BlockResult], *,
          limit: int | None = None) -> ScanResult:
    """Join block answers; order matches (by ticker, or the sort value descending)."""
    matches = [t for b in blocks for t in b.matches]
    values = {t: v for b in blocks for t, v in b.values.items()}
    if plan.scan.sort is not None:
        key = {t: v for b in blocks for t, v in b.sort_values.items()}
        matches.sort(key=lambda t: (np.isnan(key[t]), -key[t] if not np.isnan(key[t])
                                    else 0.0, t))
    else:
        matches.sort()
    if limit is not None:
        matches = matches[:limit]
    entries = None
    window = None
    if plan.window is not None:
        entries = {t: d for b in blocks for t, d in b.entries.items()}
        window = (pd.Timestamp(plan.index[plan.window[0]]),
                  pd.Timestamp(plan.index[plan.window[1]]))
    return ScanResult(pd.Timestamp(plan.index[plan.row]), plan.universe, plan.scan.condition,
                      sum(b.evaluated for b in blocks), matches, values, entries,
                      plan.scan.sort, window)
