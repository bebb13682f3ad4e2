"""``--engine dask``: the scan's blocks of member columns as Dask tasks.

The plan (dates, the single tickers a ratio reads, the ``$``-free values such as
``close(SPY)`` or ``breadth(sp500)``) is computed once on the client and sent to every
worker once (``scatter(broadcast=True)``); each task evaluates the condition on one
block of members with the same kernels as the local engine and returns only the
block's answer (matches, the values read, entries), which the client merges. Indicators
are computed per column, so the answer equals the local engine's bit for bit.

Where the members' closes come from:

* the store (default): the client reads them through the market view and scatters
  one block per task;
* a Parquet dataset (``dataset=DIR``, written by ``rotascope data export --format
  parquet-dataset``): each task reads its own block of tickers from the files, so the
  whole matrix is never in one process (a universe bigger than memory streams
  through, ``max_in_flight`` blocks at a time).

Without ``scheduler`` or ``client`` a LocalCluster on 127.0.0.1 (threads, no
dashboard) is started for the call and closed after it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .compile import CompiledScan
from .run import BlockResult, ScanPlan, ScanResult, breadth_universes, merge, prepare, scan_block

if TYPE_CHECKING:
    from ..market_view import MarketView

__all__ = ["run_dask", "local_client", "column_blocks", "DEFAULT_BLOCK"]

#: Members per task when nothing else is known (a block of 6,300 sessions x 1,000
#: tickers is 50 MB of closes).
DEFAULT_BLOCK = 1_000


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:  # pragma: no cover - depends on the environment
        raise ParameterError("scan --engine dask needs dask[distributed]: "
                             "pip install 'rotascope[dask]'") from None
    return distributed


@contextmanager
def local_client(n_workers: int = 1, *, threads_per_worker: int = 1,
                 processes: bool = False, memory_limit: str | int = "auto"
                 ) -> Iterator[Any]:
    """A Dask client on a LocalCluster, closed on exit: in-process workers talk over
    Dask's in-process transport (no socket); worker processes listen on 127.0.0.1."""
    distributed = _import_distributed()
    where = {"host": "127.0.0.1"} if processes else {}
    cluster = distributed.LocalCluster(n_workers=n_workers,
                                       threads_per_worker=threads_per_worker,
                                       processes=processes, dashboard_address=None,
                                       memory_limit=memory_limit, **where)
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@contextmanager
def _client(scheduler: str | None, client: Any) -> Iterator[Any]:
    if client is not None:
        yield client
        return
    if scheduler is not None:
        distributed = _import_distributed()
        c = distributed.Client(scheduler, timeout="30s")
        try:
            yield c
        finally:
            c.close()
        return
    with local_client() as c:
        yield c


def column_blocks(n: int, size: int) -> list[slice]:
    """Contiguous column slices of at most ``size`` columns covering ``range(n)``."""
    return [slice(i, min(i + size, n)) for i in range(0, n, max(1, size))]


def _block_size(client: Any, n: int, block_size: int | None) -> int:
    if block_size is not None:
        if block_size < 1:
            raise ParameterError(f"scan: block size must be >= 1, got {block_size}")
        return block_size
    threads = sum(client.nthreads().values()) or 1
    # about two blocks per thread keeps every worker busy without tiny tasks
    return max(1, min(DEFAULT_BLOCK, math.ceil(n / (2 * threads))))


def _bucket_blocks(dataset: str, tickers: Sequence[str], size: int) -> list[Any]:
    """Column positions grouped by dataset bucket (whole buckets per block, about
    ``size`` tickers), so each task reads only its own bucket folders."""
    from ..data.dataset import bucket_of, dataset_info

    b = bucket_of(list(tickers), dataset_info(dataset)["buckets"])
    order = np.argsort(b, kind="stable")
    groups = np.split(order, np.flatnonzero(np.diff(b[order])) + 1)
    blocks: list[Any] = []
    current: list[int] = []
    for g in groups:
        if current and len(current) + len(g) > size:
            blocks.append(np.asarray(current))
            current = []
        current.extend(int(j) for j in g)
    if current:
        blocks.append(np.asarray(current))
    return blocks


def _scan_stored(plan: ScanPlan, tickers: Sequence[str], close: np.ndarray,
                 mask: np.ndarray) -> BlockResult:
    return scan_block(plan, tickers, close, mask)


def _scan_dataset(plan: ScanPlan, tickers: Sequence[str], mask: np.ndarray,
                  dataset: str) -> BlockResult:
    from ..data.dataset import read_block

    frame = read_block(dataset, tickers, end=plan.index[-1])
    close = frame.reindex(index=plan.index, columns=list(tickers)).to_numpy(dtype=np.float64)
    return scan_block(plan, tickers, np.asfortranarray(close), mask)


# -- breadth as a tree reduction -------------------------------------------------------

def _breadth_block(close: np.ndarray, mask: np.ndarray) -> np.ndarray:
    from ..analysis.breadth import breadth_block_counts

    return breadth_block_counts(close, mask)


def _breadth_dataset_block(tickers: Sequence[str], mask: np.ndarray, index: pd.DatetimeIndex,
                           dataset: str) -> np.ndarray:
    from ..data.dataset import read_block

    frame = read_block(dataset, tickers, end=index[-1])
    close = frame.reindex(index=index, columns=list(tickers)).to_numpy(dtype=np.float64)
    return _breadth_block(np.asfortranarray(close), mask)


def _add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a + b


def tree_sum(client: Any, futures: list[Any]) -> Any:
    """Sum the arrays of ``futures`` pairwise on the workers (a binary tree of depth
    log2 n: no process receives more than two partial sums); the client gets one."""
    level = list(futures)
    while len(level) > 1:
        nxt = [client.submit(_add, level[i], level[i + 1], pure=False)
               for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0].result()


def dask_breadth(client: Any, market: MarketView, universe: str, *, block_size: int,
                 dataset: str | None = None) -> pd.DataFrame:
    """``universe_breadth(market, universe)`` with the counting on the workers: each task
    counts one block of member columns (:func:`breadth_block_counts`), the counts are
    summed by :func:`tree_sum` and :func:`breadth_from_counts` builds the history on the
    client. Integer counts add exactly, so the frame equals the local one bit for bit."""
    from ..analysis.breadth import breadth_from_counts
    from ..errors import NoDataError

    tickers = (sorted(market.present(market.ever_members(universe)))
               if market.has_universe(universe) else [])
    if not tickers:
        raise NoDataError(f"breadth({universe}): the universe has no member with prices "
                          "in the store; import its members' prices first")
    futures = []
    if dataset is None:
        close = market.close(tickers)
        index = pd.DatetimeIndex(close.index)
        values = close.to_numpy(dtype=np.float64)
        mask = market.membership(universe, index, tickers).to_numpy(dtype=bool)
        for sl in column_blocks(len(tickers), block_size):
            data = client.scatter([np.asfortranarray(values[:, sl]),
                                   np.asfortranarray(mask[:, sl])])
            futures.append(client.submit(_breadth_block, *data, pure=False))
    else:
        from ..data.dataset import dataset_dates

        index = dataset_dates(dataset, tickers, end=market.as_of)
        mask = market.membership(universe, index, tickers).to_numpy(dtype=bool)
        for sl in _bucket_blocks(dataset, tickers, block_size):
            futures.append(client.submit(_breadth_dataset_block, [tickers[j] for j in sl],
                                         np.asfortranarray(mask[:, sl]), index, dataset,
                                         pure=False))
    return breadth_from_counts(tree_sum(client, futures), index)


def run_dask(market: MarketView, scan: CompiledScan, universe: str, *, start: Any = None,
             end: Any = None, limit: int | None = None, scheduler: str | None = None,
             block_size: int | None = None, client: Any = None, dataset: str | None = None,
             max_in_flight: int | None = None) -> ScanResult:
    """Run ``scan`` with its member blocks as Dask tasks (see the module doc).

    ``max_in_flight`` bounds the dataset blocks submitted at once (default: two per
    worker thread), so at most that many blocks are in memory.
    """
    index = None
    if dataset is not None:
        from ..data.dataset import dataset_dates

        tickers_all = sorted(market.present(market.ever_members(universe)))
        end_day = market.as_of if end is None else pd.Timestamp(end).normalize()
        index = dataset_dates(dataset, tickers_all, end=end_day)
    with _client(scheduler, client) as c:
        trees = [scan.tree] + ([scan.sort_tree] if scan.sort_tree is not None else [])
        breadth = None
        if breadth_universes(trees):
            n_members = len(market.ever_members(universe))
            bsize = _block_size(c, n_members, block_size)

            def breadth(view: MarketView, name: str) -> pd.DataFrame:
                return dask_breadth(c, view, name, block_size=bsize, dataset=dataset)
        plan, close, mask = prepare(market, scan, universe, start=start, end=end,
                                    index=index, breadth=breadth)
        size = _block_size(c, len(plan.tickers), block_size)
        blocks = column_blocks(len(plan.tickers), size)
        shared = c.scatter(plan, broadcast=True)
        results: list[BlockResult] = []
        if dataset is None:
            assert close is not None
            values = close.to_numpy(dtype=np.float64)
            futures = []
            for sl in blocks:
                # the block's data goes to a worker as data, not inside the task graph
                # (column-major, as the store returns it: no copy, the kernels' fast layout)
                data = c.scatter([np.asfortranarray(values[:, sl]),
                                  np.asfortranarray(mask[:, sl])])
                futures.append(c.submit(_scan_stored, shared, plan.tickers[sl], *data,
                                        pure=False))
            results = c.gather(futures)
        else:
            from distributed import as_completed

            threads = sum(c.nthreads().values()) or 1
            window = max_in_flight or 2 * threads
            groups = _bucket_blocks(dataset, plan.tickers, size)
            pending = iter(range(len(groups)))
            by_block: dict[int, BlockResult] = {}
            running = as_completed()
            keys: dict[Any, int] = {}

            def submit_next() -> bool:
                i = next(pending, None)
                if i is None:
                    return False
                sl = groups[i]
                fut = c.submit(_scan_dataset, shared, [plan.tickers[j] for j in sl],
                               np.asfortranarray(mask[:, sl]), dataset, pure=False)
                keys[fut.key] = i
                running.add(fut)
                return True

            for _ in range(window):
                if not submit_next():
                    break
            for fut in running:
                by_block[keys[fut.key]] = fut.result()
                fut.release()
                submit_next()
            results = [by_block[i] for i in range(len(groups))]
    return merge(plan, results, limit=limit)
