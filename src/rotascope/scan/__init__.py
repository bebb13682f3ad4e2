"""Whole-market scans: a condition with ``$`` for each member, over a universe at once.

>>> from rotascope.scan import run_scan                            # doctest: +SKIP
>>> run_scan(market, "close($) > sma($, 50)", universe="sp500").matches  # doctest: +SKIP

* :mod:`.compile`    parse and check the condition (and ``--sort``), located errors
* :mod:`.frame_eval` evaluate it on a dates x members matrix (vectorised)
* :mod:`.run`        members, dates, point-in-time mask, blocks, merge, the result
* :mod:`.dask_engine` the same blocks as Dask tasks (optional dependency)
* :mod:`.named`      named scans in a YAML file
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .compile import CompiledScan, ScanConditionError, compile_scan
from .run import ScanResult, merge, prepare, scan_block

if TYPE_CHECKING:
    from ..market_view import MarketView

__all__ = ["CompiledScan", "ScanConditionError", "ScanResult", "compile_scan", "run_scan",
           "ENGINES"]

#: Engines ``run_scan`` knows.
ENGINES = ("local", "dask")


def _universe_problem(market: MarketView) -> Any:
    def problem(name: str) -> str | None:
        return None if market.has_universe(name) else f"unknown universe {name!r}"
    return problem


def run_scan(market: MarketView, condition: str | CompiledScan, *, universe: str = "sp500",
             sort: str | None = None, limit: int | None = None, start: Any = None,
             end: Any = None, engine: str = "local", scheduler: str | None = None,
             block_size: int | None = None, client: Any = None,
             dataset: str | None = None) -> ScanResult:
    """Scan ``universe`` as of the view's date (or ``end``) for ``condition``.

    Parameters
    ----------
    market : the market view (nothing after its as-of date is read).
    condition : text with ``$`` for each member, e.g. ``close($) > sma($, 50)``, or a
        :class:`CompiledScan`.
    universe : universe name; members are point in time.
    sort : number expression to order matches by, descending (``rsi($, 14)``).
    limit : keep the first ``limit`` matches (after sorting).
    start, end : with ``start``, also list the dates each ticker newly matched between
        ``start`` and ``end`` (default the as-of date); matches are those of ``end``.
    engine : ``"local"`` (one process) or ``"dask"`` (blocks of members as Dask tasks).
    scheduler : Dask scheduler address; None starts a LocalCluster for the call.
    block_size : members per Dask task (default: about two blocks per worker thread).
    client : an existing ``distributed.Client`` (instead of ``scheduler``).
    dataset : with the Dask engine, read the members' closes from this Parquet dataset
        (``rotascope data export --format parquet-dataset``) block by block.

    Returns
    -------
    ScanResult

    Raises
    ------
    ScanConditionError
        A malformed condition (exit code 6), with its column.
    UnknownUniverseError, NoDataError, ParameterError
    """
    from ..errors import ParameterError

    if engine not in ENGINES:
        raise ParameterError(f"scan: engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise ParameterError(f"scan: 'limit' must be a whole number >= 1, got {limit!r}")
    if isinstance(condition, CompiledScan):
        compiled = condition
    else:
        compiled = compile_scan(condition, sort=sort, known_tickers=set(market.tickers),
                                universe_problem=_universe_problem(market))
    if dataset is not None and engine != "dask":
        raise ParameterError("scan: a Parquet dataset is read by the Dask engine; "
                             "add engine='dask' (--engine dask)")
    if engine == "dask":
        from .dask_engine import run_dask

        return run_dask(market, compiled, universe, start=start, end=end, limit=limit,
                        scheduler=scheduler, block_size=block_size, client=client,
                        dataset=dataset)
    plan, close, mask = prepare(market, compiled, universe, start=start, end=end)
    assert close is not None
    block = scan_block(plan, plan.tickers, close.to_numpy(dtype=np.float64), mask)
    return merge(plan, [block], limit=limit)



