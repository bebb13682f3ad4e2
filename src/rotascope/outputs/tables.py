"""Rich tables for analysis results (layout only; numbers come formatted from fmt)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from .fmt import is_missing, pct, pp, ratio_value

__all__ = ["perf_table", "ratio_rows_table", "signed"]


def signed(text: str, value: float | None) -> str:
    """Colour a formatted number by its sign (rich markup)."""
    if value is None or is_missing(value) or value == 0:
        return text
    return f"[green]{text}[/]" if value > 0 else f"[red]{text}[/]"


def perf_table(table: Any, *, title: str | None = None, names: dict[str, str] | None = None,
               show_spreads: bool = True) -> Any:
    """Render a :class:`~rotascope.analysis.perf.PerfTable`."""
    from rich.table import Table

    t = Table(title=title, title_justify="left", header_style="bold")
    t.add_column("ticker", style="bold")
    if names:
        t.add_column("name", overflow="ellipsis", max_width=28)
    for w in table.windows:
        t.add_column(w, justify="right")
    for ticker, row in table.returns.iterrows():
        cells = [str(ticker)]
        if names:
            cells.append(names.get(ticker, ""))
        cells += [signed(pct(row[w]), row[w]) for w in table.windows]
        t.add_row(*cells)
    if show_spreads and len(table.spreads):
        first = table.returns.index[0]
        t.add_section()
        for other, row in table.spreads.iterrows():
            cells = [f"{first} - {other}"]
            if names:
                cells.append("spread")
            cells += [signed(pp(row[w]), row[w]) for w in table.windows]
            t.add_row(*cells, style="dim")
    return t


def _months(n: int) -> str:
    return f"{n}m" if n else "-"


def _since(x: pd.Timestamp | None) -> str:
    return "never" if x is None or pd.isna(x) else pd.Timestamp(x).strftime("%Y-%m-%d")


def ratio_rows_table(rows: Sequence[Any], *, title: str | None = None) -> Any:
    """Render :class:`~rotascope.analysis.ratio.RatioStatus` rows as one table."""
    from rich.table import Table

    t = Table(title=title, title_justify="left", header_style="bold")
    for col, just in (("ratio", "left"), ("value", "right"), ("1m", "right"), ("3m", "right"),
                      ("6m", "right"), ("vs 50d", "right"), ("vs 200d", "right"),
                      ("N-month low", "right"), ("N-month high", "right"), ("note", "left")):
        t.add_column(col, justify=just, no_wrap=col != "note")  # type: ignore[arg-type]
    for r in rows:
        note = ""
        if r.lowest_in_months:
            note = f"lowest since {_since(r.lowest_since)}"
        elif r.highest_in_months:
            note = f"highest since {_since(r.highest_since)}"
        t.add_row(r.pair, ratio_value(r.value),
                  signed(pct(r.change_1m), r.change_1m), signed(pct(r.change_3m), r.change_3m),
                  signed(pct(r.change_6m), r.change_6m),
                  signed(pct(r.pct_vs_sma50), r.pct_vs_sma50),
                  signed(pct(r.pct_vs_sma200), r.pct_vs_sma200),
                  _months(r.lowest_in_months), _months(r.highest_in_months), note)
    return t
