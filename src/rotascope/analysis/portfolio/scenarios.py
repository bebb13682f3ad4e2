"""Scenarios: today's weights replayed through historical episodes, and factor shocks.

Historical episodes
-------------------
Today's weights, held constant-mix and rebalanced daily (as over the analysis window),
through the daily returns of each episode in :data:`EPISODES`, from the close of its
first session to the close of its last: the portfolio's and the benchmark's total
return and worst drawdown (from the starting value or a later peak, at closes). Sessions
are the benchmark's sessions in the episode on which every covered holding has a close.
A holding **covered** by an episode has a close on its first and last session; a holding
without (e.g. MAGS before 2023) is listed in ``missing`` and its weight is treated as
cash in that episode (``covered_weight`` says how much of the portfolio was replayed).
Episodes that end after the as-of date are not replayed (point in time).

Factor shocks
-------------
Through the factor regression (:mod:`.risk`): a shock sets the market return and the
spreads, and the portfolio's move is ``beta_market * d_market + sum_k beta_k * d_k``
(no intercept). "Mag-7 -20%, rest of the market +5%" sets MAGS to -20% and XMAG to +5%;
SPY then moves ``m * -20% + (1 - m) * 5%`` with ``m`` the Mag-7 share of SPY (from its
holdings file, else its style-analysis estimate, else the MAGS weight of a fit of SPY
on MAGS and XMAG); hence ``MAGS-SPY = -20% - d_SPY`` and ``XMAG-MAGS = +25%``; other
spreads 0. The spread shocks (e.g. "small caps +10% vs QQQ") move one spread with the
market flat. The benchmark's move uses its own betas on the same factors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .metrics import drawdown

__all__ = ["EPISODES", "Episode", "SHOCKS", "replay_episodes", "shock_moves", "apply_shocks"]


@dataclass(frozen=True)
class Episode:
    key: str
    label: str
    start: pd.Timestamp
    end: pd.Timestamp


EPISODES: tuple[Episode, ...] = (
    Episode("covid_crash_2020", "COVID crash (2020-02-19..2020-03-23)",
            pd.Timestamp("2020-02-19"), pd.Timestamp("2020-03-23")),
    Episode("bear_market_2022", "2022 bear market (S&P 500 peak 2022-01-03 to trough "
            "2022-10-12)", pd.Timestamp("2022-01-03"), pd.Timestamp("2022-10-12")),
    Episode("smallcap_rotation_2024", "July 2024 small-cap rotation (2024-07-10..2024-07-31, "
            "from the eve of the July 11 CPI report)", pd.Timestamp("2024-07-10"),
            pd.Timestamp("2024-07-31")),
    Episode("tariff_selloff_2025", "2025 sell-off (2025-02-19..2025-04-08)",
            pd.Timestamp("2025-02-19"), pd.Timestamp("2025-04-08")),
)

#: Factor shocks: key -> (label, moves). ``"mag7"`` is the special Mag-7 vs rest shock.
SHOCKS: dict[str, tuple[str, dict[str, float]]] = {
    "mag7_down20_rest_up5": ("Mag-7 -20%, rest of market +5%", {"MAGS": -0.20, "XMAG": 0.05}),
    "mag7_up10_rest_flat": ("Mag-7 +10%, rest of market flat", {"MAGS": 0.10, "XMAG": 0.0}),
    "smallcaps_up10_vs_qqq": ("small caps +10% vs QQQ, market flat", {"IWM-QQQ": 0.10}),
    "equal_weight_up5_vs_spy": ("equal weight +5% vs SPY, market flat", {"RSP-SPY": 0.05}),
    "credit_stress": ("high yield -5% vs Treasuries, market flat", {"HYG-IEF": -0.05}),
}


def replay_episodes(close: pd.DataFrame, weights: pd.Series, benchmark: str,
                    as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per episode (see the module doc): portfolio_return, benchmark_return,
    active_return, portfolio_max_drawdown, benchmark_max_drawdown, sessions,
    covered_weight, missing, start, end, label (index: episode key)."""
    rows = []
    held = [str(t) for t in weights.index]
    bench = close[benchmark].to_numpy(dtype=np.float64)
    dates = close.index
    cols = close.columns.get_indexer(held)
    for ep in EPISODES:             # four episodes
        base = {"label": ep.label, "start": ep.start, "end": ep.end}
        if ep.end > as_of:
            rows.append({**base, "status": "after the as-of date"})
            continue
        lo, hi = dates.searchsorted(ep.start), dates.searchsorted(ep.end, side="right")
        b = bench[lo:hi]
        sess = np.flatnonzero(np.isfinite(b))
        if len(sess) < 2:
            rows.append({**base, "status": f"no {benchmark} closes in the episode"})
            continue
        v = close.iloc[lo:hi, cols].to_numpy(dtype=np.float64)[sess]   # the episode only
        covered = np.isfinite(v[0]) & np.isfinite(v[-1])
        ok = np.isfinite(v[:, covered]).all(axis=1)
        v = v[ok][:, covered]
        bb = b[sess][ok]
        r = v[1:] / v[:-1] - 1.0
        w = weights.to_numpy(dtype=np.float64)[covered]
        rp = r @ w
        rb = bb[1:] / bb[:-1] - 1.0
        day = dates[lo:hi][sess][ok]
        p_ret = float(np.prod(1.0 + rp) - 1.0)
        b_ret = float(np.prod(1.0 + rb) - 1.0)
        rows.append({**base, "status": "ok", "first_session": day[0], "last_session": day[-1],
                     "sessions": int(len(day)), "portfolio_return": p_ret,
                     "benchmark_return": b_ret, "active_return": p_ret - b_ret,
                     "portfolio_max_drawdown": float(drawdown(rp).min()),
                     "benchmark_max_drawdown": float(drawdown(rb).min()),
                     "covered_weight": float(w.sum()),
                     "missing": [t for t, c in zip(held, covered, strict=True) if not c]})
    return pd.DataFrame(rows, index=pd.Index([e.key for e in EPISODES], name="scenario"))


def shock_moves(mag7_share_of_market: float) -> pd.DataFrame:
    """Factor moves (rows: shocks; columns: SPY and the spreads) implied by :data:`SHOCKS`."""
    from .risk import FACTORS, MARKET

    cols = [MARKET, *FACTORS]
    out = pd.DataFrame(0.0, index=list(SHOCKS), columns=cols)
    m = mag7_share_of_market
    for key, (_label, moves) in SHOCKS.items():
        if "MAGS" in moves:
            d_mags, d_rest = moves["MAGS"], moves["XMAG"]
            d_spy = m * d_mags + (1.0 - m) * d_rest
            out.loc[key, MARKET] = d_spy
            out.loc[key, "MAGS-SPY"] = d_mags - d_spy
            out.loc[key, "XMAG-MAGS"] = d_rest - d_mags
        else:
            for f, v in moves.items():
                out.loc[key, f] = v
    return out


def apply_shocks(betas: pd.DataFrame, moves: pd.DataFrame) -> pd.DataFrame:
    """``moves @ betas`` over the factors both have (rows: shocks, columns: targets);
    ``missing_factors`` lists moved factors without a beta (their move is dropped)."""
    common = [f for f in moves.columns if f in betas.index]
    out = moves[common] @ betas.loc[common]
    lost = [f for f in moves.columns if f not in betas.index]
    out["missing_factors"] = [
        [f for f in lost if moves.at[k, f] != 0.0] for k in moves.index]
    return out
