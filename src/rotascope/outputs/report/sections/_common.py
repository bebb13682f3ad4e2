"""Helpers shared by the section builders (dates, tails, missing series, unsigned figures)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..narrative import (
    name_of,
)

if TYPE_CHECKING:
    from ..build import ReportContext

__all__ = ["SMA_WINDOWS", "CHART_ROWS"]


SMA_WINDOWS = (20, 50, 100, 200)
CHART_ROWS = 252
_MISSING = "n/a"


def _d(ts: Any) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


def _missing_sentence(ctx: ReportContext, tickers: Sequence[str], what: str) -> str | None:
    gone = [t for t in tickers if ctx.series(t) is None]
    if not gone:
        return None
    reasons = "; ".join(f"{t}: {ctx.missing.get(t, 'no data')}" for t in gone)
    return f"Not available for {what}: {reasons}."


def _tail(s: pd.Series, rows: int = CHART_ROWS) -> pd.Series:
    return s.iloc[-rows:]

def _named(ticker: str, figure: str) -> str:
    """"technology (XLK, +14.8%)": the ticker's name with a figure inside its brackets."""
    name = name_of(ticker)
    if name.endswith(f"({ticker})"):
        return name[:-1] + f", {figure})"
    return f"{name} ({figure})"


def _below_high(ctx: ReportContext, placeholder: str, what: str) -> str:
    """"is 5.4% below its 52-week high" or "is at its 52-week high" (value <= 0)."""
    if ctx.val(placeholder) >= 0:
        return f"is at {what}"
    return f"is {_abs_ref(ctx, placeholder)} below {what}"


def _sessions(n: float) -> str:
    """``session`` or ``sessions`` for a count ("after 1 session", "after 3 sessions")."""
    return "session" if round(float(n)) == 1 else "sessions"


def _abs_ref(ctx: ReportContext, placeholder: str) -> str:
    """The same figure shown unsigned (``pp_abs``...), for "by 2.1 pp" phrasing.

    The value stays signed (so it re-derives like the original); only the display drops
    the sign, and the sentence carries the direction in words.
    """
    fid = placeholder[1:-1]
    fig = ctx.reg[fid]
    unit = {"pp": "pp_abs", "pct": "pct_abs", "bp": "bp_abs"}.get(fig.unit, fig.unit)
    if unit == fig.unit:
        return placeholder
    return ctx.add(f"{fid}.abs", ctx.val(placeholder), kind=fig.kind, unit=unit,
                   definition=fig.definition + " (shown without its sign)", inputs=fig.inputs,
                   as_of=fig.as_of) or placeholder


def members_on(ctx: ReportContext) -> list[str]:
    """Members of the breadth universe on the note date with a close that day."""
    if ctx.members_close is None or ctx.members_mask is None:
        return []
    c = ctx.members_close
    if ctx.as_of not in c.index:
        return []
    mask = ctx.members_mask.loc[ctx.as_of]
    has = c.loc[ctx.as_of].notna()
    return [t for t in c.columns if bool(mask[t]) and bool(has[t])]
