"""The weights engine: strategy -> target weights -> P&L, point in time.

Timing
------
* The decision of row ``t`` uses data up to and including the close of ``t`` (every
  condition and indicator is causal).
* Decisions are taken every session (``daily``) or on the last session of the week /
  month (``weekly`` / ``monthly``: ``t`` is the last row of its period when the next row
  is in another period, which the exchange calendar fixes in advance).
* The trade happens at the close of the next session ``t+1``; the new weights earn the
  returns from ``t+1`` to ``t+2`` onward. Between trades the weights drift with prices.
* Costs: ``costs_bps / 1e4`` per unit of turnover (``sum |new - drifted|``; switching
  the whole book from one asset to another is a turnover of 2).
* The simulation runs over the whole history (signals warm up before ``start``); the
  P&L window starts at the close of the first session on or after ``start`` (equity
  1.0 there, holding what the strategy held at that close) and ends at the view's
  as-of date.
* The sessions are the benchmark's trading days; other assets' closes are carried
  forward over their own gaps (a day without a close earns 0, the next close the whole
  move). An asset without a close on the trade day cannot be bought: its weight stays
  in cash.
* Cash earns 0, or with ``cash: ^IRX`` (13-week T-bill yield in percent) on row ``d``
  the yield known at the close of ``d-1`` over one session: ``IRX[d-1] / 100 / 252``.
* A ``when`` that is unknown on a row (warm-up, a missing close) takes no decision: the
  book keeps what it holds. Before any decision the book is all cash.
* A ranking keeps the members of the universe on the decision row (point-in-time
  membership) that have a score, and a close on the trade row; the top ``k``
  (ties: the earlier ticker in the universe's order) get ``1 / min(k, available)`` each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import NoDataError, ParameterError
from ..rules import EvalContext, evaluate
from ..rules.grammar import Arith, Call, Neg, Node, Number
from .kernels import simulate
from .metrics import PERIODS, performance
from .strategy import _INDICATORS, CASH, Strategy, _bind_indicator

if TYPE_CHECKING:
    from ..market_view import MarketView

__all__ = ["Prepared", "StrategyResult", "prepare", "run_strategy", "run_strategies",
           "rebalance_flags", "rank_scores", "asset_returns", "cash_returns"]


@dataclass
class Prepared:
    """A strategy's inputs on the benchmark's sessions (all rows, warm-up included)."""

    dates: pd.DatetimeIndex
    assets: list[str]
    close: pd.DataFrame          # raw closes (NaN where a ticker has no row)
    returns: np.ndarray          # (n, m) from row d-1 to d, 0 where unknown
    cash: np.ndarray             # (n,)
    decide: np.ndarray           # (n,) bool
    target: np.ndarray           # (n, m)
    bench_returns: np.ndarray    # (n,)
    known: np.ndarray            # (n,) bool: the condition is known (all True without one)
    notes: list[str] = field(default_factory=list)


@dataclass
class StrategyResult:
    """One strategy's backtest over the P&L window."""

    strategy: Strategy
    returns: pd.Series           # net daily returns, rows after the first
    equity: pd.Series            # 1.0 at the first row
    weights: pd.DataFrame        # held after each close (assets + CASH)
    turnover: pd.Series          # traded on each row of the window (first row excluded)
    benchmark_returns: pd.Series
    benchmark_equity: pd.Series
    notes: list[str] = field(default_factory=list)

    def metrics(self) -> dict[str, float]:
        m = performance(self.returns)
        years = len(self.returns) / PERIODS
        m["turnover"] = float(self.turnover.sum() / years) if years > 0 else float("nan")
        m["trades"] = int((self.turnover > 1e-12).sum())
        held = self.weights.drop(columns=[CASH]).abs().sum(axis=1)
        m["exposure"] = float(held.iloc[:-1].mean()) if len(held) > 1 else float("nan")
        return m

    def benchmark_metrics(self) -> dict[str, float]:
        m = performance(self.benchmark_returns)
        m.update(turnover=0.0, trades=0, exposure=1.0)
        m["ticker"] = self.strategy.benchmark  # type: ignore[assignment]
        return m

    def to_dict(self, *, with_weights: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.strategy.id, **self.metrics(),
                               "benchmark": self.benchmark_metrics()}
        out["equity"] = {f"{d:%Y-%m-%d}": float(v) for d, v in self.equity.items()}
        if with_weights:
            out["weights"] = weights_changes(self.weights)
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def weights_changes(weights: pd.DataFrame) -> dict[str, dict[str, float]]:
    """{date: {ticker: weight}} on the first row and every row the weights were set
    by a trade or drifted into new holdings (non-zero weights only)."""
    w = weights.to_numpy(dtype=np.float64)
    held = np.abs(w) > 1e-12
    changed = np.ones(len(w), dtype=bool)
    if len(w) > 1:
        changed[1:] = np.any(held[1:] != held[:-1], axis=1)
    out: dict[str, dict[str, float]] = {}
    cols = list(weights.columns)
    for i in np.flatnonzero(changed):
        out[f"{weights.index[i]:%Y-%m-%d}"] = {cols[j]: round(float(w[i, j]), 12)
                                               for j in np.flatnonzero(held[i])}
    return out


def rebalance_flags(dates: pd.DatetimeIndex, rebalance: str) -> np.ndarray:
    """True on the rows a decision is taken (every row, or the last row of each week /
    month; the last row counts once the next row shows the period ended)."""
    n = len(dates)
    if rebalance == "daily":
        return np.ones(n, dtype=bool)
    if rebalance == "weekly":
        iso = dates.isocalendar()
        key = (iso["year"].to_numpy(np.int64) * 100 + iso["week"].to_numpy(np.int64))
    elif rebalance == "monthly":
        key = dates.year.to_numpy(np.int64) * 12 + dates.month.to_numpy(np.int64)
    else:
        raise ParameterError(f"rebalance must be daily, weekly or monthly, got {rebalance!r}")
    out = np.zeros(n, dtype=bool)
    out[:-1] = key[1:] != key[:-1]
    return out


def asset_returns(close: pd.DataFrame) -> np.ndarray:
    """Row-to-row returns over closes carried forward; 0 where unknown."""
    ff = close.ffill().to_numpy(dtype=np.float64)
    r = np.zeros_like(ff)
    with np.errstate(divide="ignore", invalid="ignore"):
        r[1:] = ff[1:] / ff[:-1] - 1.0
    r[~np.isfinite(r)] = 0.0
    return r


def cash_returns(dates: pd.DatetimeIndex, bill: pd.Series | None) -> np.ndarray:
    """0, or the T-bill yield (percent) of the previous row over one session."""
    out = np.zeros(len(dates))
    if bill is None:
        return out
    y = bill.astype(np.float64).reindex(dates).ffill().to_numpy()
    out[1:] = y[:-1] / 100.0 / PERIODS
    out[~np.isfinite(out)] = 0.0
    return out


def rank_scores(tree: Node, close: pd.DataFrame) -> pd.DataFrame:
    """Evaluate a ranking expression of ``$`` on a whole closes matrix at once."""
    if isinstance(tree, Number):
        return pd.DataFrame(float(tree.value), index=close.index, columns=close.columns)
    if isinstance(tree, Neg):
        return -rank_scores(tree.operand, close)
    if isinstance(tree, Arith):
        a, b = rank_scores(tree.left, close), rank_scores(tree.right, close)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = {"+": a + b, "-": a - b, "*": a * b, "/": a / b}[tree.op]
        return out.replace([np.inf, -np.inf], np.nan)
    if isinstance(tree, Call) and tree.func in _INDICATORS:
        ind = _INDICATORS[tree.func]
        values = ind.compute(close, **_bind_indicator(ind, tree))
        return pd.DataFrame(np.asarray(values, dtype=np.float64), index=close.index,
                            columns=close.columns)
    raise ParameterError(f"rank: cannot evaluate {type(tree).__name__}")  # checked on load


def _vector(weights: dict[str, float], assets: list[str]) -> np.ndarray:
    return np.array([weights.get(a, 0.0) for a in assets], dtype=np.float64)


def _top_k(scores: np.ndarray, valid: np.ndarray, k: int) -> np.ndarray:
    n, m = scores.shape
    ok = valid & ~np.isnan(scores)
    key = np.where(ok, -np.nan_to_num(scores, nan=0.0), np.inf)
    order = np.argsort(key, axis=1, kind="stable")
    kk = np.minimum(ok.sum(axis=1), k)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(m)[None, :].repeat(n, axis=0), axis=1)
    chosen = (rank < kk[:, None]) & ok
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(chosen, 1.0 / kk[:, None], 0.0)
    return w


def prepare(strategy: Strategy, market: MarketView, ctx: EvalContext | None = None
            ) -> Prepared:
    """The strategy's decisions and target weights on every row up to the view's as-of."""
    market.require([strategy.benchmark])
    bench = market.series(strategy.benchmark)
    dates = pd.DatetimeIndex(bench.index)
    if len(dates) < 2:
        raise NoDataError(f"{strategy.id}: the benchmark {strategy.benchmark} has fewer than "
                          "two closes")
    fixed = [t for t in (*strategy.hold, *strategy.otherwise) if t != CASH]
    members: list[str] = []
    if strategy.universe:
        members = market.present(market.ever_members(strategy.universe))
        if not members:
            raise NoDataError(f"{strategy.id}: no member of universe {strategy.universe!r} "
                              "has prices")
    assets = list(dict.fromkeys([*fixed, *members]))
    market.require(fixed)
    close = market.close(assets).reindex(dates) if assets else pd.DataFrame(index=dates)
    returns = asset_returns(close)
    bill = market.series(strategy.cash) if strategy.cash else None
    cash = cash_returns(dates, bill)
    n, m = len(dates), len(assets)
    tradable = np.zeros((n, m), dtype=bool)
    tradable[:-1] = close.notna().to_numpy()[1:]
    flags = rebalance_flags(dates, strategy.rebalance)
    notes: list[str] = []

    cond = None
    known = np.ones(n, dtype=bool)
    if strategy.when_tree is not None:
        ctx = ctx or EvalContext(market)
        res = evaluate(strategy.when_tree, ctx).result
        res = res[~res.index.duplicated()].reindex(dates)
        cond = res.to_numpy(dtype=object)
        known = np.array([v is not pd.NA and v is not None for v in cond], dtype=bool)
        truth = np.zeros(n, dtype=bool)
        truth[known] = np.asarray(cond[known], dtype=bool)
    hold = _vector(strategy.hold, assets)
    other = _vector(strategy.otherwise, assets)
    if strategy.rank is not None:
        rank, universe = strategy.ranking
        mclose = close[members]
        scores = rank_scores(rank.tree, mclose).to_numpy(dtype=np.float64)
        member_mask = market.membership(universe, index=dates,
                                        tickers=members).to_numpy(dtype=bool)
        idx = [assets.index(t) for t in members]
        picked = _top_k(scores, member_mask & tradable[:, idx], strategy.top)
        ranked = np.zeros((n, m))
        ranked[:, idx] = picked
        if cond is None:
            target, decide = ranked, flags
        else:
            target = np.where(truth[:, None], ranked, other[None, :] * tradable)
            decide = flags & known
    else:
        if cond is None:
            target, decide = np.broadcast_to(hold, (n, m)) * tradable, flags
        else:
            target = np.where(truth[:, None], hold[None, :], other[None, :]) * tradable
            decide = flags & known
    return Prepared(dates, assets, close, returns, cash, np.ascontiguousarray(decide),
                    np.ascontiguousarray(target, dtype=np.float64),
                    asset_returns(bench.to_frame())[:, 0], known, notes)


def run_strategy(strategy: Strategy, market: MarketView, start: Any = None, *,
                 ctx: EvalContext | None = None) -> StrategyResult:
    """Backtest one strategy from ``start`` (default: the first benchmark close) to the
    view's as-of date."""
    p = prepare(strategy, market, ctx)
    held, net, turn = simulate(p.decide, p.target, np.ascontiguousarray(p.returns),
                               p.cash, strategy.costs_bps / 1e4)
    d0 = 0 if start is None else int(p.dates.searchsorted(pd.Timestamp(start)))
    if d0 >= len(p.dates) - 1:
        raise NoDataError(f"{strategy.id}: fewer than two sessions of {strategy.benchmark} "
                          f"from {pd.Timestamp(start):%Y-%m-%d} to {market.as_of:%Y-%m-%d}")
    win = p.dates[d0:]
    rets = pd.Series(net[d0 + 1:], index=win[1:], name=strategy.id)
    equity = pd.Series(np.concatenate([[1.0], np.cumprod(1.0 + net[d0 + 1:])]), index=win,
                       name=strategy.id)
    weights = pd.DataFrame(held[d0:], index=win, columns=p.assets)
    weights[CASH] = 1.0 - weights.sum(axis=1)
    b = pd.Series(p.bench_returns[d0 + 1:], index=win[1:], name=strategy.benchmark)
    beq = pd.Series(np.concatenate([[1.0], np.cumprod(1.0 + b.to_numpy())]), index=win,
                    name=strategy.benchmark)
    return StrategyResult(strategy, rets, equity, weights,
                          pd.Series(turn[d0 + 1:], index=win[1:]), b, beq, p.notes)


def run_strategies(strategies: list[Strategy], market: MarketView, start: Any = None, *,
                   regime_rules: Any = None) -> list[StrategyResult]:
    """Backtest several strategies on one market view (shared signal caches)."""
    ctx = EvalContext(market, regime_rules=regime_rules)
    return [run_strategy(s, market, start, ctx=ctx) for s in strategies]
