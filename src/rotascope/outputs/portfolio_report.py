"""The HTML report of ``rotascope portfolio analyze|whatif --out DIR``.

One self-contained file (``portfolio.html``: charts are PNGs embedded as base64, no
script, no network) plus ``analysis.json`` beside it. Every user-supplied text (the
portfolio's name, tickers, notes) is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["write_portfolio_report", "render_portfolio_html"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;
max-width:1100px;color:#222;line-height:1.4}
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
td,th{padding:.25em .7em;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child{text-align:left}
img{max-width:100%}.note{color:#666;font-size:.9em}
"""


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _p(x: Any, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "n/a"
    return f"{float(x) * 100:.{digits}f}%"


def _n(x: Any, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "n/a"
    return f"{float(x):.{digits}f}"


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return ('<img alt="chart" src="data:image/png;base64,'
            + base64.b64encode(buf.getvalue()).decode("ascii") + '">')


def _figure(height: float = 3.2) -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot(1, 1, 1)


def _bars(labels: list[str], values: list[float], title: str) -> str:
    fig, ax = _figure(max(2.0, 0.28 * len(labels) + 1.0))
    y = np.arange(len(labels))
    ax.barh(y, np.asarray(values) * 100, color="#4C72B0")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel("% of the portfolio")
    ax.set_title(title, loc="left")
    return _png(fig)


def _table(head: list[str], rows: list[list[str]]) -> str:
    h = "".join(f"<th>{_e(c)}</th>" for c in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>"


def render_portfolio_html(a: Any, whatif: Any = None) -> str:
    """The report's HTML (a :class:`PortfolioAnalysis`, optionally a :class:`WhatIf`)."""
    parts = [f"<h1>{_e(a.name)}: portfolio analysis as of {a.as_of:%Y-%m-%d}</h1>",
             f"<p>Window {_e(a.window)}: {a.observations} daily returns from "
             f"{a.start:%Y-%m-%d} to {a.end:%Y-%m-%d}; benchmark {_e(a.benchmark)}; "
             f"cash {_p(a.cash)}. Constant-mix, rebalanced daily.</p>"]
    rows = [[_e(k), _n(a.metrics[k], 4), _n(a.benchmark_metrics[k], 4)]
            for k in a.metrics.index if k != "observations"]
    parts += ["<h2>Metrics</h2>", _table(["metric", "portfolio", a.benchmark], rows)]

    m = a.mag7
    parts += ["<h2>Exposure</h2>",
              f"<p>Mag-7: <b>{_p(m['total'])}</b> (look-through {_p(m['look_through'])}, "
              f"estimated {_p(m['estimated'])}, unexplained {_p(m['unexplained_weight'])})."
              "</p>"]
    by = m["by_ticker"].sort_values("weight", ascending=False).head(30)
    parts.append(_bars([str(t) for t in by.index],
                       [float(v) for v in np.nan_to_num(by["look_through"] + by["estimated"]
                                                        .fillna(0.0))],
                       "Mag-7 exposure by holding (look-through + estimated)"))
    parts.append(_table(["holding", "weight", "method", "Mag-7 share", "fit R^2"],
                        [[_e(t), _p(r["weight"]), _e(r["method"]), _p(r["mag7_share"]),
                          _n(r["r_squared"])] for t, r in by.iterrows()]))
    sec = a.by_sector
    parts.append(_bars([str(k) for k in sec.index], [float(v) for v in sec.to_numpy()],
                       "Sectors (look-through where known)"))
    if a.by_style.get("weights"):
        sw = a.by_style["weights"]
        parts.append(_bars([f"{k} ({a.by_style['labels'][k]})" for k in sw],
                           list(sw.values()),
                           f"Style (returns-based, R^2 {a.by_style['r_squared']:.2f})"))

    rc = a.risk_contribution.sort_values("share", ascending=False).head(30)
    parts += ["<h2>Risk</h2>",
              f"<p>Volatility {_p(a.volatility)}; HHI {_n(a.concentration['hhi'], 3)}, "
              f"effective holdings {_n(a.concentration['effective_holdings'], 1)}.</p>",
              _bars([str(t) for t in rc.index], [float(v) for v in rc["share"]],
                    "Share of the portfolio's volatility (Euler)")]
    parts.append(_table(["factor", "beta", "t-stat"],
                        [[_e(k), _n(r["beta"], 3), _n(r["t_stat"], 2)]
                         for k, r in a.factor_betas.iterrows()]))

    cum = a.cumulative()
    fig, ax = _figure()
    ax.plot(cum.index, cum["portfolio"], label=a.name)
    ax.plot(cum.index, cum["benchmark"], label=a.benchmark)
    ax.set_title("Growth of 1 over the window", loc="left")
    ax.legend()
    parts += ["<h2>Portfolio vs benchmark</h2>", _png(fig)]
    fig, ax = _figure(2.6)
    for col, lab in (("portfolio", a.name), ("benchmark", a.benchmark)):
        w = cum[col].to_numpy()
        ax.plot(cum.index, (w / np.maximum(np.maximum.accumulate(w), 1.0) - 1) * 100, label=lab)
    ax.set_title("Drawdown (%)", loc="left")
    ax.legend()
    parts.append(_png(fig))

    srows = []
    for _, r in a.scenarios.iterrows():
        if r.get("status") != "ok":
            srows.append([_e(r["label"]), _e(r.get("status")), "", "", "", ""])
            continue
        srows.append([_e(r["label"]), _p(r["portfolio_return"]), _p(r["benchmark_return"]),
                      _p(r["portfolio_max_drawdown"]), _p(r["benchmark_max_drawdown"]),
                      _p(r["covered_weight"])])
    parts += ["<h2>Scenarios</h2>",
              _table(["episode", "portfolio", a.benchmark, "worst drawdown",
                      f"{a.benchmark} worst drawdown", "covered weight"], srows),
              _table(["factor shock", "portfolio", a.benchmark],
                     [[_e(r["label"]), _p(r["portfolio"]), _p(r["benchmark"])]
                      for _, r in a.factor_shocks.iterrows()])]
    if whatif is not None:
        comp = whatif.comparison()
        moves = ", ".join(f"{x:.0%} {s} &rarr; {d}" for x, s, d in
                          [(mv, _e(s), _e(d)) for mv, s, d in whatif.moves])
        parts += [f"<h2>What if: {moves}</h2>",
                  _table(["figure", "before", "after", "change"],
                         [[_e(k), _n(r["before"], 4), _n(r["after"], 4), _n(r["change"], 4)]
                          for k, r in comp.iterrows()])]
    if a.notes:
        parts.append("<h2>Notes</h2>" + "".join(f'<p class="note">{_e(n)}</p>'
                                                for n in a.notes))
    parts.append('<p class="note">Definitions: docs/portfolio.md. Information, not '
                 "investment advice.</p>")
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>"
            f"{_e(a.name)} portfolio</title><style>{_CSS}</style></head><body>"
            + "\n".join(parts) + "</body></html>\n")


def write_portfolio_report(a: Any, out_dir: Path, *, whatif: Any = None) -> Path:
    """Write ``portfolio.html`` and ``analysis.json`` into ``out_dir``; returns the HTML
    path."""
    from .jsonout import dumps

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "portfolio.html"
    path.write_text(render_portfolio_html(a, whatif), encoding="utf-8")
    payload = whatif.to_dict() if whatif is not None else a.to_dict()
    (out_dir / "analysis.json").write_text(dumps(payload) + "\n", encoding="utf-8")
    return path
