"""``rotascope snapshot``: one screen of leadership, style, sectors, global and key ratios."""

from __future__ import annotations

from typing import Any

import click

from ._common import (
    MarketOpener,
    as_of_option,
    cli_opener,
    console,
    emit_json,
    json_option,
    with_progress,
)

__all__ = ["snapshot", "snapshot_result"]

SNAPSHOT_UNIVERSES = ("leadership", "style", "sectors", "global")
KEY_RATIOS = (("MAGS", "SPY"), ("XMAG", "MAGS"), ("RSP", "SPY"), ("QQQ", "IWM"),
              ("IWF", "IWD"), ("SPY", "ACWX"), ("HYG", "IEF"))
SNAPSHOT_WINDOWS = ("1w", "1m", "3m", "ytd")

EPILOG = """\b
Examples:
  rotascope snapshot
  rotascope snapshot --as-of 2025-04-08
  rotascope snapshot --json > snapshot.json

Load data first: `rotascope data import ../shared/market-data` (CSV folder) or
`rotascope data update leadership` (online).
"""


@click.command(epilog=EPILOG)
@as_of_option
@json_option
@click.pass_context
def snapshot(ctx: click.Context, as_of: object, as_json: bool) -> None:
    """Leadership, style, sector and global performance, and the key rotation ratios."""
    from ..tables import perf_table, ratio_rows_table

    progress = with_progress(len(SNAPSHOT_UNIVERSES) + 2, "loading",
                             disable=as_json or not console(stderr=True).is_terminal)
    with progress:
        task = progress.add_task("loading prices", total=len(SNAPSHOT_UNIVERSES) + 2)
        snap = snapshot_result(cli_opener(ctx), as_of,
                               progress=lambda n: progress.advance(task, n))
    err = console(stderr=True)
    for w in snap.warnings:
        err.print(f"[yellow]warning:[/] {w}")
    if as_json:
        emit_json(snap.to_dict())
        return
    out = console()
    out.print(f"[bold]rotascope snapshot[/] as of {snap.as_of:%Y-%m-%d}")
    for name, table in snap.sections.items():
        out.print(perf_table(table, title=f"{name}", show_spreads=False))
    if snap.ratios:
        out.print(ratio_rows_table(snap.ratios, title="key ratios"))
    if snap.missing:
        out.print(f"[yellow]not in the store:[/] {', '.join(snap.missing)} "
                  "(fetch with `rotascope data update` or import a CSV folder)")


def snapshot_result(opener: MarketOpener, as_of: Any = None, *,
                    progress: Any = None) -> Any:
    """The :class:`~rotascope.analysis.snapshot.Snapshot` `rotascope snapshot` shows."""
    from ...analysis.snapshot import build_snapshot

    with opener(as_of, needs=[t for p in KEY_RATIOS for t in p],
                needs_universes=tuple(SNAPSHOT_UNIVERSES)) as market:
        kw = {} if progress is None else {"progress": progress}
        return build_snapshot(market, universes=SNAPSHOT_UNIVERSES, pairs=KEY_RATIOS,
                              windows=SNAPSHOT_WINDOWS, **kw)
