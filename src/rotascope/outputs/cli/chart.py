"""``rotascope chart ...``: PNG or interactive HTML charts of ratios, the RRG, breadth, lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ._common import as_of_option, console, emit_json, json_option, open_market

__all__ = ["chart", "ratio_cmd", "rrg_cmd", "breadth_cmd", "line_cmd"]

EPILOG = """\b
Examples:
  rotascope chart ratio RSP SPY --out rsp_spy.png
  rotascope chart rrg --tail 10 --out rrg.html
  rotascope chart breadth --universe sp500 --start 2024-01-01 --out breadth.png
  rotascope chart line SPY --rsi 14 --start 2025-01-01 --out spy.html

\b
The format follows the suffix of --out: .png (matplotlib) or .html (plotly, works
offline: plotly.js is embedded, or written beside the file with --plotlyjs directory).
Every chart carries its as-of date and data source; --synthetic stamps SYNTHETIC DATA.
"""


def _common(func: Any) -> Any:
    func = click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path),
                        default=None,
                        help="Output file, .png or .html (default: <chart>_<date>.png).")(func)
    func = click.option("--start", default=None, metavar="YYYY-MM-DD",
                        help="First date shown (default: about two years back).")(func)
    func = click.option("--synthetic", is_flag=True,
                        help="Stamp SYNTHETIC DATA across the chart.")(func)
    func = click.option("--plotlyjs", type=click.Choice(["inline", "directory"]),
                        default="inline", show_default=True,
                        help="HTML: embed plotly.js, or write plotly.min.js beside it.")(func)
    func = as_of_option(func)
    func = json_option(func)
    return func


def _default_start(day: Any, start: str | None) -> Any:
    import pandas as pd

    return pd.Timestamp(start) if start else pd.Timestamp(day) - pd.DateOffset(years=2)


def _out(out: Path | None, name: str, day: Any) -> Path:
    return out if out is not None else Path(f"{name}_{day:%Y-%m-%d}.png")


def _done(path: Path, kind: str, day: Any, as_json: bool) -> None:
    if as_json:
        emit_json({"path": str(path), "format": path.suffix.lstrip(".").lower(),
                   "chart": kind, "as_of": f"{day:%Y-%m-%d}"})
        return
    console().print(f"wrote {path}")


def _source(market: Any) -> str:
    try:
        prov = market.provenance
        if len(prov) and "source" in prov.columns:
            srcs = sorted(set(prov["source"].dropna().astype(str)))
            return "rotascope store (" + ", ".join(srcs[:3]) + ")"
    except Exception:  # provenance is a nicety for the label only
        pass
    return "rotascope store"


@click.group(epilog=EPILOG)
def chart() -> None:
    """PNG or interactive HTML charts: ratio lines, the RRG, breadth, price lines."""


@chart.command("ratio", epilog=EPILOG)
@click.argument("numerator")
@click.argument("denominator")
@_common
@click.pass_context
def ratio_cmd(ctx: click.Context, numerator: str, denominator: str, out: Path | None,
              start: str | None, synthetic: bool, plotlyjs: str, as_of: Any,
              as_json: bool) -> None:
    """The ratio line NUMERATOR/DENOMINATOR with its 50- and 200-day averages."""
    from ...data.model import normalize_ticker
    from ..charts import ratio_chart

    a, b = normalize_ticker(numerator), normalize_ticker(denominator)
    with open_market(ctx, as_of, needs=[a, b]) as market:
        close = market.close([a, b])
        day = market.as_of
        source = _source(market)
    path = ratio_chart(close, a, b, _out(out, f"ratio_{a}_{b}", day),
                       start=_default_start(day, start), source=source, synthetic=synthetic,
                       plotlyjs=plotlyjs)  # type: ignore[arg-type]
    _done(path, "ratio", day, as_json)


@chart.command("rrg", epilog=EPILOG)
@click.argument("tickers", nargs=-1)
@click.option("--universe", "universe_name", default="sectors", show_default=True,
              help="Tickers when none are given.")
@click.option("--benchmark", default="SPY", show_default=True)
@click.option("--tail", default=8, show_default=True, type=click.IntRange(1, 520))
@click.option("--period", type=click.Choice(["weekly", "daily"]), default="weekly",
              show_default=True)
@_common
@click.pass_context
def rrg_cmd(ctx: click.Context, tickers: tuple[str, ...], universe_name: str,
            benchmark: str, tail: int, period: str, out: Path | None, start: str | None,
            synthetic: bool, plotlyjs: str, as_of: Any, as_json: bool) -> None:
    """Relative rotation graph with tails (default: the sector ETFs vs SPY)."""
    from ...data.model import normalize_ticker
    from ..charts import rrg_chart
    from .rrg import load_rrg, universe_tickers

    bench = normalize_ticker(benchmark)
    given = [normalize_ticker(t) for t in tickers]
    with open_market(ctx, as_of, needs=[bench, *given],
                     needs_universes=() if given else (universe_name,)) as market:
        names = given or universe_tickers(market, universe_name)
        result = load_rrg(market, names, bench, period=period, tail=tail)
        day = market.as_of
        source = _source(market)
    path = rrg_chart(result, _out(out, "rrg", day), source=source, synthetic=synthetic,
                     plotlyjs=plotlyjs)  # type: ignore[arg-type]
    _done(path, "rrg", day, as_json)


@chart.command("breadth", epilog=EPILOG)
@click.option("--universe", "universe_name", default="sp500", show_default=True)
@click.option("--index", "index_ticker", default="SPY", show_default=True,
              help="Index drawn above the breadth panels.")
@_common
@click.pass_context
def breadth_cmd(ctx: click.Context, universe_name: str, index_ticker: str, out: Path | None,
                start: str | None, synthetic: bool, plotlyjs: str, as_of: Any,
                as_json: bool) -> None:
    """Share of members above their 50/200-day averages, net new highs and the McClellan
    oscillator, under the index."""
    from ...analysis.breadth import breadth_report
    from ..charts import breadth_chart

    idx = index_ticker.upper()
    with open_market(ctx, as_of, needs=["RSP", "SPY", idx],
                     needs_universes=(universe_name,)) as market:
        market.require([idx])
        report = breadth_report(market, universe_name, index=idx)
        day = report.as_of
        index_close = market.at(day).close([idx])[idx]
        source = _source(market)
    path = breadth_chart(report.history, index_close, _out(out, f"breadth_{universe_name}", day),
                         start=_default_start(day, start), index_name=idx,
                         universe=universe_name, as_of=day, source=source,
                         synthetic=synthetic, plotlyjs=plotlyjs)  # type: ignore[arg-type]
    _done(path, "breadth", day, as_json)


@chart.command("line", epilog=EPILOG)
@click.argument("tickers", nargs=-1, required=True)
@click.option("--averages", default="50,200", show_default=True,
              help="Moving averages of the first ticker (comma-separated; empty for none).")
@click.option("--rsi", "rsi_window", type=click.IntRange(2, 500), default=None,
              help="Add an RSI panel of the first ticker with this window.")
@click.option("--log", "log_scale", is_flag=True, help="Log price scale.")
@_common
@click.pass_context
def line_cmd(ctx: click.Context, tickers: tuple[str, ...], averages: str,
             rsi_window: int | None, log_scale: bool, out: Path | None, start: str | None,
             synthetic: bool, plotlyjs: str, as_of: Any, as_json: bool) -> None:
    """Closes of TICKER... with the first one's moving averages and optional RSI."""
    from ...data.model import normalize_ticker
    from ..charts import line_chart
    from ._common import split_csv

    names = [normalize_ticker(t) if not t.startswith("^") else t.upper() for t in tickers]
    wins = [int(w) for w in split_csv(averages)]
    with open_market(ctx, as_of, needs=names) as market:
        close = market.close(names)
        day = market.as_of
        source = _source(market)
    path = line_chart(close, _out(out, "line_" + "_".join(names), day),
                      title=", ".join(names), averages=wins, rsi_window=rsi_window,
                      start=_default_start(day, start), log=log_scale, as_of=day,
                      source=source, synthetic=synthetic,
                      plotlyjs=plotlyjs)  # type: ignore[arg-type]
    _done(path, "line", day, as_json)
