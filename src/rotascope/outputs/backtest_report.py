"""The backtest tear sheet: one self-contained HTML page (charts embedded, opens offline).

Per strategy: the metrics against the benchmark, equity versus the benchmark (log
scale), drawdowns, a monthly returns heatmap, the rolling 6-month Sharpe ratio and the
holdings over time. A sweep adds its best combinations and a Sharpe heatmap.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["write_tear_sheet", "monthly_returns"]

_ROWS = (("total_return", "Total return", "pct"), ("annual_return", "Annual return", "pct"),
         ("annual_volatility", "Annual volatility", "pct"), ("sharpe", "Sharpe", "num"),
         ("sortino", "Sortino", "num"), ("max_drawdown", "Max drawdown", "pct"),
         ("calmar", "Calmar", "num"), ("turnover", "Turnover / year", "num"),
         ("trades", "Trading sessions", "int"), ("exposure", "Exposure", "pct"))


def monthly_returns(returns: pd.Series) -> pd.DataFrame:
    """Compounded return of each calendar month: years x months (1..12)."""
    g = (1.0 + returns).groupby([returns.index.year, returns.index.month]).prod() - 1.0
    table = g.unstack()
    return table.reindex(columns=range(1, 13))


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return "<img alt='chart' src='data:image/png;base64," + \
        base64.b64encode(buf.getvalue()).decode("ascii") + "'>"


def _fmt(v: Any, kind: str) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "n/a"
    if kind == "pct":
        return f"{v * 100:.2f}%"
    if kind == "int":
        return f"{int(v)}"
    return f"{v:.2f}"


def _charts(res: Any) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..backtest.metrics import drawdown_series

    out = []
    fig, ax = plt.subplots(figsize=(10, 3.6))
    ax.plot(res.equity.index, res.equity.to_numpy(), label=res.strategy.id, lw=1.3)
    ax.plot(res.benchmark_equity.index, res.benchmark_equity.to_numpy(),
            label=res.strategy.benchmark, lw=1.0, color="grey")
    ax.set_yscale("log")
    ax.set_title("Equity (1.0 at the start, log scale)")
    ax.legend(loc="upper left")
    out.append(_png(fig))

    fig, ax = plt.subplots(figsize=(10, 2.6))
    dd = drawdown_series(res.returns)
    bdd = drawdown_series(res.benchmark_returns)
    ax.fill_between(dd.index, dd.to_numpy(), 0, alpha=0.5, label=res.strategy.id)
    ax.plot(bdd.index, bdd.to_numpy(), color="grey", lw=0.8, label=res.strategy.benchmark)
    ax.set_title("Drawdown from the running peak")
    ax.legend(loc="lower left")
    out.append(_png(fig))

    table = monthly_returns(res.returns)
    fig, ax = plt.subplots(figsize=(10, 0.35 * len(table) + 1.2))
    vals = table.to_numpy(dtype=np.float64)
    lim = np.nanmax(np.abs(vals)) if np.isfinite(vals).any() else 0.1
    ax.imshow(vals, cmap="RdYlGn", vmin=-lim, vmax=lim, aspect="auto")
    ax.set_yticks(range(len(table)), [str(y) for y in table.index])
    ax.set_xticks(range(12), ["J", "F", "M", "A", "M", "J", "J", "A", "S", "O", "N", "D"])
    for (i, j), v in np.ndenumerate(vals):
        if np.isfinite(v):
            ax.text(j, i, f"{v * 100:.1f}", ha="center", va="center", fontsize=7)
    ax.set_title("Monthly returns (%)")
    out.append(_png(fig))

    fig, ax = plt.subplots(figsize=(10, 2.6))
    for r, name, color in ((res.returns, res.strategy.id, None),
                           (res.benchmark_returns, res.strategy.benchmark, "grey")):
        roll = r.rolling(126).mean() / r.rolling(126).std() * np.sqrt(252)
        ax.plot(roll.index, roll.to_numpy(), lw=1.0, label=name, color=color)
    ax.axhline(0, color="black", lw=0.5)
    ax.set_title("Rolling 6-month Sharpe ratio")
    ax.legend(loc="upper left")
    out.append(_png(fig))

    w = res.weights.clip(lower=0.0)
    w = w.loc[:, w.abs().sum() > 0]
    fig, ax = plt.subplots(figsize=(10, 3.0))
    ax.stackplot(w.index, w.to_numpy().T, labels=list(w.columns), step="post")
    ax.set_ylim(0, max(1.0, float(w.sum(axis=1).max())))
    ax.set_title("Holdings over time (weights after each close)")
    ax.legend(loc="upper left", ncol=min(8, len(w.columns)), fontsize=7)
    out.append(_png(fig))
    return out


def _sweep_section(sweep: Any, extra: dict[str, Any]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = sweep.table.sort_values("sharpe", ascending=False)
    parts = ["<h2>Parameter sweep</h2>",
             f"<p>{len(t)} combinations; best by Sharpe first.</p>",
             t.head(20).to_html(index=False, float_format=lambda v: f"{v:.4f}",
                                escape=True, border=0)]
    params = [c for c in ("lookback", "top", "costs_bps", "rebalance") if c in t
              and t[c].nunique() > 1]
    if len(params) >= 2:
        pivot = t.pivot_table(index=params[0], columns=params[1], values="sharpe",
                              aggfunc="max")
        fig, ax = plt.subplots(figsize=(8, 0.3 * len(pivot) + 1.5))
        im = ax.imshow(pivot.to_numpy(dtype=np.float64), cmap="viridis", aspect="auto")
        ax.set_yticks(range(len(pivot)), [str(v) for v in pivot.index])
        ax.set_xticks(range(len(pivot.columns)), [str(v) for v in pivot.columns])
        ax.set_ylabel(params[0])
        ax.set_xlabel(params[1])
        fig.colorbar(im, ax=ax, label="Sharpe (best over the other fields)")
        parts.append(_png(fig))
    if extra.get("deflated_sharpe"):
        d = extra["deflated_sharpe"]
        parts.append(f"<p>Deflated Sharpe ratio of the best combination: "
                     f"{d['dsr']:.3f} (Sharpe {d['sharpe']:.2f} vs {d['expected_max_sharpe']:.2f}"
                     f" expected from luck over {d['n_trials']} trials).</p>")
    if extra.get("walk_forward") is not None and len(extra["walk_forward"]):
        parts.append("<h3>Walk-forward</h3>")
        parts.append(extra["walk_forward"].to_html(index=False, float_format=lambda v: f"{v:.3f}",
                                                   escape=True, border=0))
    return "\n".join(parts)


def write_tear_sheet(results: list[Any], out_dir: str | Path, *, start: Any, end: Any,
                     sweep: Any = None, extra: dict[str, Any] | None = None,
                     source: str = "") -> Path:
    """Write ``backtest.html`` into ``out_dir`` (created) and return its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    e = html.escape
    body = [f"<h1>Backtest {e(f'{pd.Timestamp(start):%Y-%m-%d}')} to "
            f"{e(f'{pd.Timestamp(end):%Y-%m-%d}')}</h1>",
            f"<p class='src'>{e(source)}</p>",
            "<p>Decisions on the close of day t, trades at the close of t+1; the new weights "
            "earn from t+1 to t+2 on. Costs per unit of turnover.</p>"]
    for res in results:
        s = res.strategy
        m, b = res.metrics(), res.benchmark_metrics()
        rows = "".join(f"<tr><td>{e(label)}</td><td>{_fmt(m[key], kind)}</td>"
                       f"<td>{_fmt(b[key], kind)}</td></tr>" for key, label, kind in _ROWS)
        body.append(f"<h2>{e(s.id)}</h2><p>{e(s.description)}</p>"
                    f"<table><tr><th></th><th>{e(s.id)}</th><th>{e(s.benchmark)}</th></tr>"
                    f"{rows}</table>")
        captions = ("Equity vs benchmark", "Drawdowns", "Monthly returns",
                    "Rolling Sharpe", "Holdings over time")
        for cap, img in zip(captions, _charts(res), strict=True):
            body.append(f"<h3>{cap}</h3>{img}")
    if sweep is not None:
        body.append(_sweep_section(sweep, extra or {}))
    page = ("<!doctype html><html><head><meta charset='utf-8'><title>rotascope backtest</title>"
            "<style>body{font-family:sans-serif;max-width:1000px;margin:auto}"
            "table{border-collapse:collapse;margin:8px 0}td,th{padding:2px 10px;"
            "border-bottom:1px solid #ddd;text-align:right}img{max-width:100%}"
            ".src{color:#666}</style></head><body>" + "\n".join(body) + "</body></html>")
    path = out / "backtest.html"
    path.write_text(page, encoding="utf-8")
    return path
