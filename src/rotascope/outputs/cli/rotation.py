"""``rotascope rotation`` (style, size, geography, risk pairs) and ``rotascope concentration``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ._common import (
    MarketOpener,
    as_of_option,
    cli_opener,
    console,
    emit_json,
    json_option,
    split_csv,
)

__all__ = ["rotation", "concentration", "pairs_rich_table", "concentration_rich_table",
           "rotation_result", "rotation_payload", "concentration_result"]

EPILOG = """\b
Examples:
  rotascope rotation
  rotascope rotation --as-of 2025-04-08 --json
  rotascope rotation --pairs QQQ/IWM,RSP/SPY --no-bitcoin

\b
Pairs: MAGS/SPY, XMAG/MAGS, RSP/SPY, QQQ/IWM, IWF/IWD, SPYG/SPYV, SPY/ACWX, SPY/VGK,
SPY/EWJ, SPY/EEM, XLY/XLP, SPHB/SPLV, HYG/IEF. Trend: rising (ratio above its 50-day
average, 50 above 200), turning up (above the 50, 50 at or below the 200), falling,
turning down (mirrors), flat. Bitcoin: IBIT against SPY, drawdowns from the common
start and lead-lag of daily returns (positive lag: bitcoin leads).
"""

CONC_EPILOG = """\b
Examples:
  rotascope concentration
  rotascope concentration --weights weights.csv --as-of 2025-06-30
  rotascope concentration --json

\b
Mag-7 basket (equal weight, or cap weight from a weights file ticker,weight,as_of)
against the rest of the universe's members (point in time), their spread, MAGS and
XMAG, and the Mag-7's contribution to SPY's return per window: from the weights when
given, otherwise a returns-based estimate of the Mag-7 weight (see docs/breadth.md).
"""


def pairs_rich_table(rows: list[Any], title: str | None = None) -> Any:
    """Rich table of :class:`~rotascope.analysis.pairs.PairStatus` rows."""
    from rich.table import Table

    from ..fmt import pct, ratio_value
    from ..tables import signed

    colors = {"rising": "green", "turning up": "cyan", "flat": "white",
              "turning down": "yellow", "falling": "red"}
    t = Table(title=title, title_justify="left", header_style="bold")
    for col, just in (("pair", "left"), ("value", "right"), ("1m", "right"), ("3m", "right"),
                      ("vs 50d", "right"), ("vs 200d", "right"), ("trend", "left"),
                      ("N-month", "right"), ("note", "left")):
        t.add_column(col, justify=just, no_wrap=col != "note")  # type: ignore[arg-type]
    for r in rows:
        if not r.available:
            t.add_row(r.pair, "n/a", "", "", "", "", "", "", f"[dim]{r.note}[/]")
            continue
        ext, note = "", ""
        if r.lowest_in_months:
            ext = f"{r.lowest_in_months}m low"
            note = "lowest since " + (f"{r.lowest_since:%Y-%m-%d}" if r.lowest_since
                                      else "the start")
        elif r.highest_in_months:
            ext = f"{r.highest_in_months}m high"
            note = "highest since " + (f"{r.highest_since:%Y-%m-%d}" if r.highest_since
                                       else "the start")
        trend = r.trend or "n/a"
        t.add_row(r.pair, ratio_value(r.value), signed(pct(r.change_1m), r.change_1m),
                  signed(pct(r.change_3m), r.change_3m),
                  signed(pct(r.pct_vs_sma50), r.pct_vs_sma50),
                  signed(pct(r.pct_vs_sma200), r.pct_vs_sma200),
                  f"[{colors.get(trend, 'white')}]{trend}[/]", ext, note)
    return t


@click.command(epilog=EPILOG)
@click.option("--pairs", "pairs_text", default=None,
              help="Comma-separated A/B pairs (default: the 13 rotation pairs).")
@click.option("--bitcoin/--no-bitcoin", default=True, show_default=True,
              help="Add IBIT vs SPY drawdowns and lead-lag.")
@as_of_option
@json_option
@click.pass_context
def rotation(ctx: click.Context, pairs_text: str | None, bitcoin: bool, as_of: Any,
             as_json: bool) -> None:
    """Style, size, geography and risk pairs: value, changes, averages, trend."""
    day, rows, btc, btc_note = rotation_result(cli_opener(ctx), pairs_text, bitcoin, as_of)
    if as_json:
        emit_json(rotation_payload(day, rows, btc, btc_note))
        return
    out = console()
    out.print(pairs_rich_table(rows, title=f"Rotation pairs as of {day:%Y-%m-%d}"))
    if btc is not None:
        out.print(f"[bold]Bitcoin[/] {btc.text()}")
    elif btc_note:
        out.print(f"[dim]bitcoin: {btc_note}[/]")


def concentration_rich_table(res: Any) -> Any:
    """Rich table of a :class:`~rotascope.analysis.concentration.Concentration`."""
    from rich.table import Table

    from ..fmt import pct, pp
    from ..tables import signed

    t = Table(header_style="bold")
    t.add_column("series", style="bold")
    for w in res.windows:
        t.add_column(w, justify="right")
    for name, row in res.returns.iterrows():
        fmt = pp if name == "spread" else pct
        t.add_row(str(name), *[signed(fmt(row[w]), row[w]) for w in res.windows])
    return t


@click.command(epilog=CONC_EPILOG)
@click.option("--universe", "universe_name", default="sp500", show_default=True,
              help="Index universe the rest is drawn from.")
@click.option("--weights", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV ticker,weight,as_of (cap weights, fractions or percent).")
@click.option("--index", "index_ticker", default="SPY", show_default=True,
              help="Index ETF whose return is explained.")
@click.option("--windows", default="1m,3m,ytd,1y", show_default=True,
              help="Comma-separated windows.")
@as_of_option
@json_option
@click.pass_context
def concentration(ctx: click.Context, universe_name: str, weights: Path | None,
                  index_ticker: str, windows: str, as_of: Any, as_json: bool) -> None:
    """Mag-7 basket vs the rest of the index, MAGS/XMAG, and the Mag-7's contribution."""
    from ..fmt import pct

    res = concentration_result(cli_opener(ctx), universe_name, weights=weights,
                               index_ticker=index_ticker, windows=windows, as_of=as_of)
    if as_json:
        emit_json(res.to_dict())
        return
    out = console()
    out.print(f"[bold]Mag-7 ({res.weighting} weight) vs the rest of {universe_name} "
              f"({res.rest_count} members) as of {res.as_of:%Y-%m-%d}[/]")
    out.print(concentration_rich_table(res))
    for c in res.contributions:
        if c.contribution != c.contribution:  # NaN
            continue
        how = ("from weights" if c.method == "weights"
               else f"estimated weight {c.weight:.0%}, R2 {c.r2:.2f}")
        out.print(f"  {c.window}: Mag-7 made {pct(c.contribution)} of {res.index}'s "
                  f"{pct(c.index_return)} ({c.share:.0%} of it; {how})")
    for n in res.notes:
        out.print(f"[dim]note: {n}[/]")


def rotation_result(opener: MarketOpener, pairs_text: str | None = None, bitcoin: bool = True,
                    as_of: Any = None) -> tuple[Any, list[Any], Any, str | None]:
    """(date, pair rows, bitcoin check or None, why no bitcoin check) of `rotascope
    rotation`."""
    from ...analysis.pairs import PAIRS, bitcoin_check, pairs_table
    from ...analysis.ratio import parse_pair

    pairs = [parse_pair(p) for p in split_csv(pairs_text)] if pairs_text else list(PAIRS)
    wanted = list(dict.fromkeys([t for p in pairs for t in p]
                                + (["IBIT", "SPY"] if bitcoin else [])))
    with opener(as_of, needs=wanted) as market:
        close = market.close(market.present(wanted))
        day = market.as_of
    rows = pairs_table(close, pairs, as_of=day)
    btc = None
    btc_note = None
    if bitcoin:
        if {"IBIT", "SPY"} <= set(close.columns):
            try:
                btc = bitcoin_check(close, "IBIT", "SPY", as_of=day)
            except Exception as exc:  # DataError: too little common history on that date
                from ...errors import RotascopeError

                if not isinstance(exc, RotascopeError):
                    raise
                btc_note = str(exc)
        else:
            btc_note = "IBIT or SPY not in the store"
    return day, rows, btc, btc_note


def rotation_payload(day: Any, rows: list[Any], btc: Any, btc_note: str | None) -> dict[str, Any]:
    """The JSON `rotascope rotation --json` prints."""
    return {"as_of": f"{day:%Y-%m-%d}", "pairs": [r.to_dict() for r in rows],
            "bitcoin": None if btc is None else btc.to_dict(), "bitcoin_note": btc_note}


def concentration_result(opener: MarketOpener, universe_name: str = "sp500", *,
                         weights: Path | None = None, index_ticker: str = "SPY",
                         windows: str = "1m,3m,ytd,1y", as_of: Any = None) -> Any:
    """The :class:`~rotascope.analysis.concentration.Concentration` of `rotascope
    concentration`."""
    from ...analysis.concentration import concentration_report
    from ...data.weights import read_weights

    table = read_weights(weights) if weights is not None else None
    with opener(as_of, needs=["SPY", "MAGS", "XMAG", index_ticker.upper()],
                needs_universes=(universe_name, "mag7")) as market:
        return concentration_report(market, universe_name, weights=table,
                                    index=index_ticker.upper(), windows=split_csv(windows))
