"""Parameter sweeps, walk-forward selection and the deflated Sharpe ratio.

A grid maps numeric fields (``top``, ``costs_bps``, ``lookback`` = the window in rows of
every indicator of the ranking) and ``rebalance`` to lists of values; every combination
is backtested. For a ranking strategy without ``when`` all combinations run at once in
one compiled, parallel kernel (:func:`~.kernels.sweep_topk`); other strategies run the
compiled single-path kernel once per combination.

Deflated Sharpe ratio (Bailey and Lopez de Prado, 2014, "The Deflated Sharpe Ratio:
Correcting for Selection Bias, Backtest Overfitting and Non-Normality"): with ``N``
trials whose per-session Sharpe ratios have variance ``V``, the best Sharpe expected
from luck alone is::

    SR0 = sqrt(V) * ((1 - g) * Z(1 - 1/N) + g * Z(1 - 1/(N e)))      g = 0.5772...

and the probability that the selected strategy's true Sharpe exceeds ``SR0`` is::

    DSR = Phi((SR - SR0) * sqrt(T - 1) / sqrt(1 - skew * SR + (kurt - 1) / 4 * SR^2))

(``SR`` per session, ``T`` sessions, ``kurt`` the plain (not excess) kurtosis).
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..rules import EvalContext
from .engine import prepare, rank_scores, rebalance_flags
from .kernels import simulate, sweep_topk
from .metrics import PERIODS
from .strategy import REBALANCE, Strategy

if TYPE_CHECKING:
    from ..market_view import MarketView

__all__ = ["parse_grid", "SweepResult", "run_sweep", "deflated_sharpe", "walk_forward",
           "expected_max_sharpe"]

GRID_FIELDS = ("top", "costs_bps", "lookback", "rebalance")
_UNITS = {"d": 1, "w": 5, "m": 21, "y": 252}
_EULER = 0.5772156649015329


def _number(text: str, field: str) -> float:
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([dwmy]?)\s*", text)
    if not m or (m.group(2) and field != "lookback"):
        raise ParameterError(f"--grid {field}: {text!r} is not a number"
                             + (" (or a window like 3m)" if field == "lookback" else ""))
    return float(m.group(1)) * _UNITS.get(m.group(2) or "d", 1)


def parse_grid(specs: list[str]) -> dict[str, list[Any]]:
    """``["top=1..6", "lookback=1m..12m:1m", "costs_bps=0,5,10", "rebalance=weekly,monthly"]``
    -> field -> values. Ranges ``a..b[:step]`` include both ends (step 1, or 1m for
    windows given in months)."""
    grid: dict[str, list[Any]] = {}
    for spec in specs:
        if "=" not in spec:
            raise ParameterError(f"--grid {spec!r}: write FIELD=VALUES, e.g. top=1..6")
        field, values = (x.strip() for x in spec.split("=", 1))
        if field not in GRID_FIELDS:
            raise ParameterError(f"--grid: unknown field {field!r}; one of "
                                 f"{', '.join(GRID_FIELDS)}")
        if field in grid:
            raise ParameterError(f"--grid: {field} given twice")
        out: list[Any] = []
        for part in values.split(","):
            part = part.strip()
            if field == "rebalance":
                if part not in REBALANCE:
                    raise ParameterError(f"--grid rebalance: {part!r} is not one of "
                                         f"{', '.join(REBALANCE)}")
                out.append(part)
                continue
            if ".." in part:
                lo, _, rest = part.partition("..")
                hi, _, step = rest.partition(":")
                unit_step = "1m" if field == "lookback" and lo.strip().endswith("m") else "1"
                a, b = _number(lo, field), _number(hi, field)
                s = _number(step or unit_step, field)
                if s <= 0 or b < a or (b - a) / s > 100_000:
                    raise ParameterError(f"--grid {field}: bad range {part!r}")
                k = int(math.floor((b - a) / s + 1e-9))
                out.extend(a + i * s for i in range(k + 1))
            else:
                out.append(_number(part, field))
        if field in ("top", "lookback"):
            if any(v < 1 or v != int(v) for v in out):
                raise ParameterError(f"--grid {field}: values must be whole numbers >= 1")
            out = [int(v) for v in out]
        grid[field] = list(dict.fromkeys(out))
    if not grid:
        raise ParameterError("--grid: nothing to sweep")
    return grid


@dataclass
class SweepResult:
    """One row per combination: the parameters and the metrics over the window."""

    table: pd.DataFrame
    returns: pd.DataFrame | None     # sessions x combinations (None when not kept)
    start: pd.Timestamp
    end: pd.Timestamp

    def best(self, by: str = "sharpe") -> pd.Series:
        return self.table.loc[self.table[by].idxmax()]


def _combos(strategy: Strategy, grid: dict[str, list[Any]]) -> pd.DataFrame:
    base = {"top": strategy.top, "costs_bps": strategy.costs_bps,
            "rebalance": strategy.rebalance, "lookback": None}
    if strategy.rank is None and ("lookback" in grid or "top" in grid):
        raise ParameterError(f"{strategy.id}: lookback and top need a ranking strategy")
    fields = list(grid)
    rows = [dict(base, **dict(zip(fields, vals, strict=True)))
            for vals in itertools.product(*(grid[f] for f in fields))]
    return pd.DataFrame(rows)


def run_sweep(strategy: Strategy, market: MarketView, grid: dict[str, list[Any]],
              start: Any = None, *, keep_returns: bool = True,
              regime_rules: Any = None) -> SweepResult:
    """Backtest every combination of ``grid`` (see :func:`parse_grid`)."""
    combos = _combos(strategy, grid)
    ctx = EvalContext(market, regime_rules=regime_rules)
    p = prepare(strategy, market, ctx)
    dates = p.dates
    d0 = 0 if start is None else int(dates.searchsorted(pd.Timestamp(start)))
    if d0 >= len(dates) - 1:
        raise ParameterError("the sweep window has fewer than two sessions")
    rebs = list(dict.fromkeys(combos["rebalance"]))
    flags = np.stack([rebalance_flags(dates, r) for r in rebs])
    C = len(combos)
    if strategy.rank is not None and strategy.when_tree is None:
        members = [a for a in p.assets]
        lbs = list(dict.fromkeys(combos["lookback"].tolist()))
        scores = []
        for lb in lbs:
            s = strategy if lb is None else strategy.with_params(lookback=lb)
            scores.append(rank_scores(s.ranking[0].tree, p.close[members]
                                      ).to_numpy(np.float64))
        member_mask = market.membership(strategy.ranking[1], index=dates,
                                        tickers=members).to_numpy(dtype=bool)
        tradable = np.zeros_like(member_mask)
        tradable[:-1] = p.close.notna().to_numpy()[1:]
        stats, equity = sweep_topk(
            np.ascontiguousarray(np.stack(scores)), member_mask & tradable,
            np.ascontiguousarray(p.returns), p.cash, flags,
            np.array([lbs.index(v) for v in combos["lookback"]], dtype=np.int64),
            combos["top"].to_numpy(np.int64),
            np.array([rebs.index(v) for v in combos["rebalance"]], dtype=np.int64),
            combos["costs_bps"].to_numpy(np.float64) / 1e4, d0, keep_returns)
    else:
        stats = np.zeros((C, 5))
        equity = np.zeros((C, len(dates) - d0)) if keep_returns else np.zeros((C, 0))
        for c, row in enumerate(combos.itertuples()):
            dec = p.known & flags[rebs.index(row.rebalance)]
            _, net, turn = simulate(dec, p.target, np.ascontiguousarray(p.returns), p.cash,
                                    float(row.costs_bps) / 1e4)
            r = net[d0 + 1:]
            eq = np.concatenate([[1.0], np.cumprod(1.0 + r)])
            stats[c] = (eq[-1] - 1.0, r.mean(), r.std(ddof=1) if len(r) > 1 else np.nan,
                        turn[d0 + 1:].sum(), float(np.min(eq / np.maximum.accumulate(eq) - 1)))
            if keep_returns:
                equity[c] = eq
    n = len(dates) - d0 - 1
    table = combos.copy()
    table["total_return"] = stats[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        table["annual_return"] = np.where(stats[:, 0] > -1, (1 + stats[:, 0]) ** (PERIODS / n)
                                          - 1, -1.0)
        table["annual_volatility"] = stats[:, 2] * np.sqrt(PERIODS)
        table["sharpe"] = np.where(stats[:, 2] > 0, stats[:, 1] / stats[:, 2], np.nan) \
            * np.sqrt(PERIODS)
    table["max_drawdown"] = stats[:, 4]
    table["turnover"] = stats[:, 3] / (n / PERIODS)
    if "lookback" not in grid:
        table = table.drop(columns=["lookback"])
    if strategy.rank is None:
        table = table.drop(columns=["top"])
    rets = None
    if keep_returns:
        eq = equity
        rets = pd.DataFrame((eq[:, 1:] / eq[:, :-1] - 1.0).T, index=dates[d0 + 1:])
    return SweepResult(table, rets, dates[d0], dates[-1])


def expected_max_sharpe(n_trials: int, variance: float) -> float:
    """The best Sharpe expected by luck among ``n_trials`` with Sharpe variance ``variance``
    (same units as the variance's Sharpe ratios)."""
    if n_trials < 2:
        return 0.0
    z = NormalDist().inv_cdf
    return math.sqrt(variance) * ((1 - _EULER) * z(1 - 1 / n_trials)
                                  + _EULER * z(1 - 1 / (n_trials * math.e)))


def deflated_sharpe(returns: pd.Series, trial_sharpes: Any, *,
                    n_trials: int | None = None) -> dict[str, float]:
    """The deflated Sharpe ratio of the selected strategy's daily ``returns``.

    Parameters
    ----------
    returns : the selected strategy's daily returns.
    trial_sharpes : the annualised Sharpe ratios of every trial of the search.
    n_trials : the number of independent trials (default: ``len(trial_sharpes)``).

    Returns
    -------
    {"sharpe", "expected_max_sharpe" (annualised), "dsr" (a probability),
    "n_trials", "sessions"}
    """
    r = np.asarray(returns, dtype=np.float64)
    r = r[np.isfinite(r)]
    t = len(r)
    srs = np.asarray(trial_sharpes, dtype=np.float64)
    srs = srs[np.isfinite(srs)] / math.sqrt(PERIODS)
    n = int(n_trials if n_trials is not None else len(srs))
    sd = r.std(ddof=1)
    sr = float(r.mean() / sd) if sd > 0 else float("nan")
    sr0 = expected_max_sharpe(n, float(srs.var(ddof=1)) if len(srs) > 1 else 0.0)
    m = r - r.mean()
    skew = float(np.mean(m ** 3) / np.mean(m ** 2) ** 1.5)
    kurt = float(np.mean(m ** 4) / np.mean(m ** 2) ** 2)
    denom = 1 - skew * sr + (kurt - 1) / 4 * sr ** 2
    dsr = NormalDist().cdf((sr - sr0) * math.sqrt(t - 1) / math.sqrt(denom)) \
        if denom > 0 and t > 1 else float("nan")
    return {"sharpe": sr * math.sqrt(PERIODS), "expected_max_sharpe": sr0 * math.sqrt(PERIODS),
            "dsr": float(dsr), "n_trials": n, "sessions": t}


def walk_forward(sweep: SweepResult, *, train_years: float = 5.0, test_years: float = 1.0,
                 by: str = "sharpe") -> pd.DataFrame:
    """Fit on a window, test on the next: on each train window pick the combination with
    the best Sharpe, then record its return on the following test window.

    Returns one row per fold: train/test bounds, the chosen combination (its row in
    ``sweep.table``), in-sample and out-of-sample Sharpe and total return, and the
    out-of-sample median over all combinations (what picking at random would give).
    """
    if sweep.returns is None:
        raise ParameterError("walk_forward needs the sweep's returns (keep_returns=True)")
    if by != "sharpe":
        raise ParameterError("walk_forward ranks by sharpe")
    rets = sweep.returns
    train, test = int(train_years * PERIODS), int(test_years * PERIODS)
    rows = []
    i = 0
    while i + train + 1 < len(rets):
        tr = rets.iloc[i:i + train].to_numpy()
        te = rets.iloc[i + train:i + train + test].to_numpy()
        if len(te) < 2:
            break
        with np.errstate(invalid="ignore", divide="ignore"):
            sr_tr = tr.mean(0) / tr.std(0, ddof=1) * math.sqrt(PERIODS)
            sr_te = te.mean(0) / te.std(0, ddof=1) * math.sqrt(PERIODS)
        best = int(np.nanargmax(sr_tr))
        rows.append({"train_from": rets.index[i], "train_to": rets.index[i + train - 1],
                     "test_from": rets.index[i + train],
                     "test_to": rets.index[min(i + train + test, len(rets)) - 1],
                     "combo": best, "sharpe_in": float(sr_tr[best]),
                     "sharpe_out": float(sr_te[best]),
                     "return_out": float(np.prod(1 + te[:, best]) - 1),
                     "median_sharpe_out": float(np.nanmedian(sr_te))})
        i += test
    return pd.DataFrame(rows)
