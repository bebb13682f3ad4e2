"""The optional "your portfolio" section (``rotascope report --portfolio FILE``).

The figures come from :func:`rotascope.analysis.portfolio.analyze_portfolio` as of the
note date; each is registered with the portfolio's weights and window so a reader can
recompute it (kind ``portfolio_metric``; definitions in docs/portfolio.md).
"""

from __future__ import annotations

from typing import Any

from ..model import Paragraph, Section, Table

__all__ = ["portfolio_section"]

#: (metric, unit, words) printed in the section's table.
_ROWS = (("annual_return", "pct", "annual return"),
         ("annual_volatility", "pct_abs", "annual volatility"),
         ("max_drawdown", "pct", "worst drawdown"),
         ("beta", "ratio", "beta"))


def portfolio_section(ctx: Any, analysis: Any) -> Section:
    """The portfolio next to its benchmark over the analysis window, and its Mag-7
    exposure (look-through of direct holdings and of MAGS)."""
    weights = {str(t): float(w) for t, w in analysis.weights.items()}
    n = int(analysis.metrics.get("observations", len(analysis.returns)))
    bench = analysis.benchmark
    inputs = {"weights": weights, "benchmark": bench, "window": n}

    def add(fid: str, metric: str, value: float, unit: str, of: str) -> str | None:
        return ctx.add(f"portfolio.{fid}", float(value), kind="portfolio_metric", unit=unit,
                       definition=f"{metric.replace('_', ' ')} of {of} over the last {n} "
                                  "daily returns on which every holding and the benchmark "
                                  "have a close (constant weights, rebalanced daily)",
                       inputs={**inputs, "metric": metric,
                               "of": "benchmark" if of == bench else "portfolio"})

    rows = []
    for metric, unit, words in _ROWS:
        p = add(metric, metric, analysis.metrics[metric], unit, "the portfolio")
        b = (add(f"benchmark_{metric}", metric, analysis.benchmark_metrics[metric], unit, bench)
             if metric != "beta" else "")
        rows.append((words, p or "n/a", b or "n/a"))
    look = ctx.add("portfolio.mag7_look_through", float(analysis.mag7["look_through"]),
                   kind="portfolio_metric", unit="share",
                   definition="weight in the Mag-7 held directly or through MAGS (each "
                              "MAGS unit holds the seven in equal weight)",
                   inputs={**inputs, "metric": "mag7_look_through"})
    sent = []
    if rows[0][1] != "n/a" and rows[0][2] != "n/a":
        better = "ahead of" if ctx.val(rows[0][1]) > ctx.val(rows[0][2]) else "behind"
        sent.append(f"Over the window the portfolio returned {rows[0][1]} a year, {better} "
                    f"{bench} ({rows[0][2]}), with a beta of {rows[3][1]}.")
    if look:
        sent.append(f"It holds {look} of its value in the Mag-7 directly or through MAGS; "
                    "funds without published holdings are estimated in "
                    "`rotascope portfolio analyze`.")
    table = Table("portfolio", ("", "portfolio", bench), tuple(rows), ("l", "r", "r"))
    return Section("portfolio", f"Your portfolio: {analysis.name}",
                   (Paragraph(tuple(sent or ["No portfolio figure is available."])), table),
                   {"name": analysis.name, "weights": weights, "benchmark": bench})
