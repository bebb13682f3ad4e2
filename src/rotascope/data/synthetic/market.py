"""The synthetic market: :func:`generate_market` and the :class:`SyntheticMarket` it returns."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from ..._typing import DateLike
from ..._validation import check_date, check_float, check_int
from ...errors import ParameterError
from ..model import SeriesData
from . import _catalog as cat
from . import _engine as eng
from ._truth import episodes_frame
from .episodes import Episode, Plan, plan_episodes

__all__ = ["SyntheticMarket", "generate_market", "SYNTHETIC_LABEL", "SYNTHETIC_SOURCE"]

SYNTHETIC_LABEL = "SYNTHETIC"
SYNTHETIC_SOURCE = "synthetic"
DEFAULT_START = "2001-01-02"
DEFAULT_YEARS = 25
MIN_ROWS = 120
MIN_TICKERS = 40

# independent random streams (spawn keys); stock blocks use (101, block)
_STREAM_STOCKS, _STREAM_FACTORS, _STREAM_EPISODES = 1, 2, 3
_STREAM_INTL, _STREAM_MACRO, _STREAM_CRYPTO = 4, 5, 6


@dataclass(frozen=True)
class SyntheticMarket:
    """A generated market with its ground truth. Everything in it is SYNTHETIC.

    Attributes
    ----------
    close : DataFrame
        Business-day ``DatetimeIndex`` named ``date`` x tickers (columns named
        ``ticker``), float64, Fortran order (each ticker's history contiguous). The
        stocks come first (the Mag-7, then ``S0001``...), then the derived ETFs,
        international ETFs, macro series (``^TNX`` is a yield in percent) and crypto
        ETFs. NaN before a ticker lists and after it delists; nothing is filled.
    instruments : DataFrame
        Index ``ticker``; columns ``name`` (always starting ``"Synthetic "``), ``kind``
        (``"stock"``, ``"etf"``, ``"index"``), ``sector`` (GICS name for stocks and
        sector ETFs, else None), ``is_megacap``, ``in_sp500``, ``shares`` and
        ``market_cap`` (stocks: cap on ``last_date`` = shares x close), ``beta``
        (stocks' market-factor loading), ``first_date``, ``last_date``.
    episodes : DataFrame
        One row per injected episode, sorted by ``start``; see ``docs/synthetic.md``
        for every column (dates, declines, retraced share, range floor and ceiling...).
    universes : dict[str, list[str]]
        ``mag7``, ``leadership``, ``style``, ``sectors``, ``global``, ``macro``,
        ``crypto`` (same tickers as ``data/universes.yaml``), ``sp500`` (every stock that
        is ever a member) and ``stocks`` (every stock).
    membership : DataFrame
        Point-in-time ``sp500`` membership: ``ticker``, ``name``, ``sector``,
        ``start_date``, ``end_date`` (a member on ``start_date <= d < end_date``;
        ``end_date`` NaT while still a member). Stocks join when they list and leave
        when they delist.
    seed : int
    description : str
    label : str
        Always ``"SYNTHETIC"``.
    """

    close: pd.DataFrame
    instruments: pd.DataFrame
    episodes: pd.DataFrame
    universes: dict[str, list[str]]
    membership: pd.DataFrame
    seed: int
    description: str
    label: str = SYNTHETIC_LABEL

    @property
    def location(self) -> str:
        """Provenance location written with every series, ``"synthetic:seed=N"``."""
        return f"{SYNTHETIC_SOURCE}:seed={self.seed}"

    @property
    def stock_tickers(self) -> list[str]:
        """The stock columns of ``close`` (they come first), in column order."""
        return self.universes["stocks"]

    def to_series_data(self, tickers: Sequence[str] | None = None) -> list[SeriesData]:
        """One :class:`~rotascope.data.model.SeriesData` per ticker for ``Store.import_series``.

        Parameters
        ----------
        tickers : sequence of str, optional
            Subset to convert (default: every column of ``close``).

        Returns
        -------
        list of SeriesData
            Rows where the ticker has a close; ``source="synthetic"``,
            ``location="synthetic:seed=N"``, ``adjusted=True``, ``kind`` and ``name`` from
            ``instruments``, a checksum of the values so re-importing writes nothing.

        Raises
        ------
        UnknownTickerError
            A requested ticker is not in the market.
        """
        from ...errors import UnknownTickerError

        cols = list(self.close.columns) if tickers is None else list(tickers)
        missing = [t for t in cols if t not in self.instruments.index]
        if missing:
            raise UnknownTickerError(missing, "the synthetic market")
        values = self.close.to_numpy()
        pos = self.close.columns.get_indexer(cols)
        dates = self.close.index
        info = self.instruments
        out = []
        for ticker, j in zip(cols, pos, strict=True):   # one record per ticker (not a hot path)
            v = values[:, j]
            ok = ~np.isnan(v)
            frame = pd.DataFrame({"close": v[ok]}, index=pd.DatetimeIndex(dates[ok], name="date"))
            digest = hashlib.sha256(f"{self.location}:{ticker}:".encode())
            digest.update(frame.index.asi8.tobytes())
            digest.update(np.ascontiguousarray(v[ok]).tobytes())
            out.append(SeriesData(ticker=ticker, frame=frame, source=SYNTHETIC_SOURCE,
                                  location=self.location, checksum=digest.hexdigest(),
                                  adjusted=True, kind=str(info.at[ticker, "kind"]),
                                  name=str(info.at[ticker, "name"])))
        return out

    def instrument_info(self) -> pd.DataFrame:
        """``name``, ``kind``, ``sector`` per ticker, as ``Store.set_instrument_info`` wants."""
        return self.instruments[["name", "kind", "sector"]].copy()

    def universe_members(self) -> dict[str, pd.DataFrame]:
        """Every universe as ``Store.save_universe`` wants it.

        Returns
        -------
        dict[str, DataFrame]
            Columns ``ticker``, ``name``, ``sector``, ``start_date``, ``end_date``;
            ``sp500`` is point in time (``membership``), the others have NaT dates
            (members throughout).
        """
        out = {}
        for name, tickers in self.universes.items():
            if name == "sp500":
                out[name] = self.membership.copy()
                continue
            info = self.instruments.loc[tickers, ["name", "sector"]]
            out[name] = pd.DataFrame({"ticker": tickers, "name": info["name"].to_numpy(),
                                      "sector": info["sector"].to_numpy(),
                                      "start_date": pd.NaT, "end_date": pd.NaT})
        return out


def _calendar(years: Any, days: Any, start: Any, end: Any) -> pd.DatetimeIndex:
    f = "generate_market"
    if years is not None and days is not None:
        raise ParameterError(f"{f}(): give 'years' or 'days', not both")
    if start is not None and end is not None:
        if years is not None or days is not None:
            raise ParameterError(f"{f}(): with both 'start' and 'end' the calendar is fixed; "
                                 "leave 'years' and 'days' unset")
        index = pd.bdate_range(check_date(start, "start", func=f), check_date(end, "end", func=f))
    else:
        if days is not None:
            rows = check_int(days, "days", minimum=MIN_ROWS, func=f)
        else:
            yrs = DEFAULT_YEARS if years is None else check_float(
                years, "years", minimum=MIN_ROWS / eng.ANNUAL_ROWS, func=f)
            rows = round(yrs * eng.ANNUAL_ROWS)
        if end is not None:
            index = pd.bdate_range(end=check_date(end, "end", func=f), periods=rows)
        else:
            first = check_date(DEFAULT_START if start is None else start, "start", func=f)
            index = pd.bdate_range(first, periods=rows)
    if len(index) < MIN_ROWS:
        raise ParameterError(f"{f}(): the calendar has {len(index)} business days; at least "
                             f"{MIN_ROWS} are needed")
    return pd.DatetimeIndex(index, name="date").as_unit("ns")


def generate_market(*, tickers: int = 500, years: float | None = None, days: int | None = None,
                    start: DateLike | None = None, end: DateLike | None = None, seed: int = 0,
                    episodes: str | Sequence[Episode] | None = "default",
                    mag7_share: float = 0.30) -> SyntheticMarket:
    """Generate a seeded, realistic SYNTHETIC daily market with known injected episodes.

    Parameters
    ----------
    tickers : int, default 500
        Number of stocks (>= 40), the 7 mega-caps included. ``close`` also holds 53
        derived ETFs and series, so it has ``tickers + 53`` columns.
    years : float, optional
        Length in years of 252 business days (default 25, i.e. 6,300 rows).
    days : int, optional
        Length in business days (rows); alternative to ``years``; >= 120.
    start, end : date-like, optional
        First or last business day (default start 2001-01-02). With both, the calendar
        is every business day between them and ``years``/``days`` must be unset.
    seed : int, default 0
        Same seed and arguments give bit-identical output; another seed a different one.
    episodes : "default", list of Episode, or None
        ``"default"`` injects :data:`~rotascope.data.synthetic.DEFAULT_EPISODES` (the
        recent four always fit 700+ rows; the early four need the full 25 years);
        an explicit list raises if an episode does not fit; None injects nothing.
    mag7_share : float, default 0.30
        The Mag-7's share of total market cap on the last row, so cap-weighted baskets
        (SPY, QQQ, IWF, XLK) are dominated by them; in (0, 0.9).

    Returns
    -------
    SyntheticMarket
        Prices, instruments, ground-truth episodes, universes and membership.

    Raises
    ------
    ParameterError
        A bad size, calendar, seed or episode (out of the calendar, overlapping another,
        a field that does not apply to its kind).

    Notes
    -----
    Memory: the output matrix (rows x columns x 8 bytes) plus about 40 MB of working
    blocks and, when episodes are injected, three (controlled rows x stocks) arrays.
    See ``docs/synthetic.md`` for the model and measured speed.

    Examples
    --------
    >>> from rotascope.data.synthetic import generate_market
    >>> mkt = generate_market(tickers=60, days=800, seed=1)
    >>> mkt.close.shape
    (800, 113)
    >>> mkt.label, mkt.instruments.loc["SPY", "name"].startswith("Synthetic ")
    ('SYNTHETIC', True)
    """
    f = "generate_market"
    n = check_int(tickers, "tickers", minimum=MIN_TICKERS, func=f)
    seed = check_int(seed, "seed", minimum=0, func=f)
    mag7_share = check_float(mag7_share, "mag7_share", minimum=0.01, maximum=0.9, func=f)
    index = _calendar(years, days, start, end)
    rows = len(index)

    def stream(key: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(key,)))

    listing = {c[0]: max(0, rows - c[1]) for c in cat.CRYPTO}
    plans = plan_episodes(episodes, index, stream(_STREAM_EPISODES), listing)
    # BLAS results depend on its thread count; one thread keeps the output bit-identical
    # whatever OPENBLAS_NUM_THREADS / OMP_NUM_THREADS say (matrix products are a small
    # share of the time)
    with threadpool_limits(limits=1, user_api="blas"):
        return _generate(n, seed, mag7_share, index, plans, listing, stream)


def _generate(n: int, seed: int, mag7_share: float, index: pd.DatetimeIndex,
              plans: list[Plan], listing: dict[str, int],
              stream: Callable[[int], np.random.Generator]) -> SyntheticMarket:
    rows = len(index)
    st = eng.make_stocks(n, rows, stream(_STREAM_STOCKS), mag7_share)
    fac = eng.make_factors(rows, stream(_STREAM_FACTORS), plans)
    ctl = eng.collect_controls(plans)

    all_tickers = [*st.tickers, *cat.DERIVED_TICKERS]
    out = np.empty((rows, len(all_tickers)), order="F")
    data = eng.pass_a(out, st, fac, ctl, seed)
    rank_cap = eng.end_caps(st, data.log_growth)     # index membership: before the episodes
    sp = eng.sp500_mask(rank_cap)
    eng.set_breadth_loading(st, rank_cap, sp)
    u, cap = eng.solve_controls(data, st, ctl, sp)
    del data
    members = eng.basket_members(st, rank_cap, sp)
    baskets = eng.pass_b(out, st, ctl, u, cap, members)
    m_final = fac.m.copy()
    m_final[ctl.rows] += u[:, 0]

    j = n
    k = len(cat.BASKETS)
    out[:, j:j + k] = eng.levels_from_returns(baskets.returns, 100.0)
    j += k
    out[:, j:j + len(cat.INTERNATIONAL)] = eng.international(fac, m_final, stream(_STREAM_INTL))
    j += len(cat.INTERNATIONAL)
    out[:, j:j + len(cat.MACRO)] = eng.macro(fac, m_final, plans, stream(_STREAM_MACRO))
    j += len(cat.MACRO)
    out[:, j:j + len(cat.CRYPTO)] = eng.crypto(m_final, plans, stream(_STREAM_CRYPTO), listing)

    close = pd.DataFrame(out, index=index, columns=pd.Index(all_tickers, name="ticker"),
                         copy=False)
    col = {t: i for i, t in enumerate(all_tickers)}
    instruments = _instruments(st, baskets.shares, cap, sp, close, index)
    sp_tickers = [t for t, m in zip(st.tickers, sp, strict=True) if m]
    universes = {name: list(t) for name, t in cat.STATIC_UNIVERSES.items()}
    universes["sp500"] = sp_tickers
    universes["stocks"] = list(st.tickers)
    membership = _membership(st, sp, instruments, index)
    truth = episodes_frame(plans, out, col, n, index)
    description = (
        f"SYNTHETIC market generated by rotascope (seed={seed}): {n} simulated stocks "
        f"(the 7 mega-caps named AAPL MSFT GOOGL AMZN NVDA META TSLA are synthetic) and "
        f"{len(cat.DERIVED_TICKERS)} ETFs and series built from them, {rows} business days "
        f"{index[0]:%Y-%m-%d}..{index[-1]:%Y-%m-%d}, {len(truth)} injected episodes. "
        "Not real market data.")
    return SyntheticMarket(close=close, instruments=instruments, episodes=truth,
                           universes=universes, membership=membership, seed=seed,
                           description=description)


def _instruments(st: eng.Stocks, shares: np.ndarray, cap: np.ndarray, sp: np.ndarray,
                 close: pd.DataFrame, index: pd.DatetimeIndex) -> pd.DataFrame:
    sector_names = np.array(cat.SECTOR_NAMES, dtype=object)[st.sector]
    stock_names = [f"Synthetic {t} (mega-cap, {s})" if m else f"Synthetic stock {t} ({s})"
                   for t, s, m in zip(st.tickers, sector_names, st.mega, strict=True)]
    sector_of_etf = {s[1]: s[0] for s in cat.SECTORS} | {s[2]: s[0] for s in cat.SECTORS}
    derived = ([(b[0], "etf", b[3]) for b in cat.BASKETS]
               + [(i[0], "etf", i[7]) for i in cat.INTERNATIONAL]
               + [(m[0], m[1], m[3]) for m in cat.MACRO]
               + [(c[0], "etf", c[3]) for c in cat.CRYPTO])
    n_der = len(derived)
    values = close.to_numpy()
    ok = ~np.isnan(values)
    first = ok.argmax(axis=0)
    last = len(index) - 1 - ok[::-1].argmax(axis=0)
    frame = pd.DataFrame({
        "name": stock_names + [f"Synthetic {d[2]}" for d in derived],
        "kind": ["stock"] * st.n + [d[1] for d in derived],
        "sector": list(sector_names) + [sector_of_etf.get(d[0]) for d in derived],
        "is_megacap": np.concatenate((st.mega, np.zeros(n_der, dtype=bool))),
        "in_sp500": np.concatenate((sp, np.zeros(n_der, dtype=bool))),
        "shares": np.concatenate((shares, np.full(n_der, np.nan))),
        "market_cap": np.concatenate((cap, np.full(n_der, np.nan))),
        "beta": np.concatenate((st.beta, np.full(n_der, np.nan))),
        "first_date": index[first],
        "last_date": index[last],
    }, index=pd.Index(close.columns, name="ticker"))
    return frame


def _membership(st: eng.Stocks, sp: np.ndarray, instruments: pd.DataFrame,
                index: pd.DatetimeIndex) -> pd.DataFrame:
    ix = np.flatnonzero(sp)
    rows = len(index)
    last = st.last_row[ix]
    end = pd.DatetimeIndex(np.where(last < rows - 1, index[np.minimum(last + 1, rows - 1)],
                                    pd.NaT))
    tickers = [st.tickers[i] for i in ix]
    return pd.DataFrame({
        "ticker": tickers,
        "name": instruments.loc[tickers, "name"].to_numpy(),
        "sector": instruments.loc[tickers, "sector"].to_numpy(),
        "start_date": index[st.list_row[ix]],
        "end_date": end,
    })
