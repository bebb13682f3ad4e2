"""Portfolio analysis as of a date: :func:`analyze_portfolio` and :func:`what_if`.

Everything comes from a :class:`~rotascope.market_view.MarketView` (prices up to its
as-of date, instrument metadata, fund holdings files dated on or before it), so an
analysis as of D equals the same analysis on data cut at D. See the modules of this
package for each figure's definition, and docs/portfolio.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ...errors import DataError, ParameterError, UnknownTickerError
from .exposure import (
    MAG7_BASIS,
    STYLE_BASIS,
    Contents,
    StyleFit,
    classify_holdings,
    mag7_exposure,
    sector_exposure,
    style_analysis,
)
from .holdings import CASH_TICKERS, Holdings, move_weight
from .metrics import common_returns, parse_portfolio_window, performance_metrics, wealth
from .risk import (
    FACTORS,
    MARKET,
    concentration,
    covariance,
    factor_returns,
    ols_betas,
    risk_contribution,
)
from .scenarios import SHOCKS, apply_shocks, replay_episodes, shock_moves

if TYPE_CHECKING:
    from ...market_view import MarketView

__all__ = ["PortfolioAnalysis", "analyze_portfolio", "analyze_weights", "WhatIf", "what_if",
           "parse_move", "portfolio_note_section"]

#: Share of the window's sessions a factor or basis ticker may miss and still be used.
_FACTOR_COVERAGE = 0.95
_CORRELATION_MAX = 100


@dataclass(frozen=True)
class PortfolioAnalysis:
    """Every figure of a portfolio as of a date (pandas objects; ``to_dict()`` for JSON).

    ``returns`` has the window's daily portfolio and benchmark returns;
    ``factor_betas`` is indexed by factor (SPY and the spreads) with beta, std_error,
    t_stat; ``risk_contribution`` by holding; ``scenarios`` by episode;
    ``factor_shocks`` by shock.
    """

    name: str
    as_of: pd.Timestamp
    benchmark: str
    window: str
    weights: pd.Series
    cash: float
    holdings: pd.DataFrame
    returns: pd.DataFrame
    metrics: pd.Series
    benchmark_metrics: pd.Series
    mag7: dict[str, Any]
    by_sector: pd.Series
    by_style: dict[str, Any]
    factor_betas: pd.DataFrame
    factor_fit: dict[str, Any]
    risk_contribution: pd.DataFrame
    volatility: float
    concentration: dict[str, Any]
    holding_returns: pd.DataFrame
    scenarios: pd.DataFrame
    factor_shocks: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def correlation(self) -> pd.DataFrame:
        """Correlation matrix of the holdings' daily returns over the window (computed
        when first asked for: it is the one O(n k^2) figure)."""
        cached = self.__dict__.get("_correlation")
        if cached is None:
            cov = covariance(self.holding_returns.to_numpy())
            sd = np.sqrt(np.diag(cov))
            with np.errstate(divide="ignore", invalid="ignore"):
                corr = cov / np.outer(sd, sd)
            np.fill_diagonal(corr, np.where(sd > 0, 1.0, np.nan))
            cols = self.holding_returns.columns
            cached = pd.DataFrame(corr, index=cols, columns=cols)
            object.__setattr__(self, "_correlation", cached)
        return cached

    @property
    def start(self) -> pd.Timestamp:
        """The first return's date."""
        return pd.Timestamp(self.returns.index[0])

    @property
    def end(self) -> pd.Timestamp:
        return pd.Timestamp(self.returns.index[-1])

    @property
    def observations(self) -> int:
        return int(len(self.returns))

    def cumulative(self) -> pd.DataFrame:
        """Wealth of the portfolio and the benchmark over the window (start = 1)."""
        w = wealth(self.returns.to_numpy())
        first = self.returns.index[0]
        out = pd.DataFrame(w, index=self.returns.index, columns=self.returns.columns)
        return out.rename_axis("date").pipe(lambda f: f) if first is not None else out

    def figures(self) -> pd.Series:
        """Every scalar figure under a dotted name (for side-by-side comparisons)."""
        f: dict[str, float] = {}
        for k, v in self.metrics.items():
            if k != "observations":
                f[f"metrics.{k}"] = float(v)
        f["window.observations"] = float(self.observations)
        for k in ("look_through", "estimated", "total"):
            f[f"exposure.mag7.{k}"] = float(self.mag7[k])
        for k, v in self.by_sector.items():
            f[f"exposure.by_sector.{k}"] = float(v)
        for k, v in self.by_style.get("weights", {}).items():
            f[f"exposure.by_style.{k}"] = float(v)
        for k, row in self.factor_betas.iterrows():
            f[f"factor_betas.{k}.beta"] = float(row["beta"])
        f["risk.volatility"] = self.volatility
        for k, v in self.risk_contribution["share"].items():
            f[f"risk_contribution.{k}.share"] = float(v)
        for k in ("hhi", "effective_holdings", "largest", "top5"):
            v = self.concentration.get(k)
            f[f"concentration.{k}"] = float("nan") if v is None else float(v)
        for k, row in self.scenarios.iterrows():
            for c in ("portfolio_return", "portfolio_max_drawdown"):
                if c in row.index:
                    f[f"scenarios.{k}.{c}"] = float(row[c])
        for k, row in self.factor_shocks.iterrows():
            f[f"factor_shocks.{k}.portfolio"] = float(row["portfolio"])
        for k, v in self.weights.items():
            f[f"weights.{k}"] = float(v)
        f["weights.CASH"] = self.cash
        return pd.Series(f, dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        def frame_by_index(df: pd.DataFrame) -> dict[str, Any]:
            return {str(i): {str(c): _plain(v) for c, v in row.items()}
                    for i, row in zip(df.index, df.to_dict(orient="records"), strict=True)}

        mag7 = dict(self.mag7)
        mag7["by_ticker"] = frame_by_index(self.mag7["by_ticker"])
        mag7["by_name"] = {k: float(v) for k, v in self.mag7["by_name"].items()}
        betas = {str(k): {"beta": float(r["beta"]), "std_error": float(r["std_error"]),
                          "t_stat": float(r["t_stat"])} for k, r in self.factor_betas.iterrows()}
        corr: Any = None
        if self.holding_returns.shape[1] <= _CORRELATION_MAX:
            corr = frame_by_index(self.correlation)
        return {
            "name": self.name, "as_of": self.as_of, "benchmark": self.benchmark,
            "window": {"spec": self.window, "start": self.start, "end": self.end,
                       "observations": self.observations,
                       "definition": "daily returns between consecutive sessions on which "
                                     "every holding and the benchmark have a close, the last "
                                     "N up to the as-of date; constant-mix daily rebalanced"},
            "holdings": [{"ticker": str(i), **{str(c): _plain(v) for c, v in r.items()}}
                         for i, r in zip(self.holdings.index,
                                         self.holdings.to_dict(orient="records"), strict=True)],
            "cash": self.cash,
            "metrics": {k: float(v) for k, v in self.metrics.items() if k != "observations"},
            "benchmark_metrics": {k: float(v) for k, v in self.benchmark_metrics.items()
                                  if k != "observations"},
            "exposure": {"mag7": mag7,
                         "by_sector": {str(k): float(v) for k, v in self.by_sector.items()},
                         "by_style": self.by_style},
            "factor_betas": {"factors": betas, **self.factor_fit},
            "risk_contribution": {"volatility": self.volatility,
                                  "by_ticker": frame_by_index(self.risk_contribution),
                                  "method": "Euler: c_i = w_i (S w)_i / sigma, annualised; "
                                            "sum c_i = sigma"},
            "concentration": self.concentration,
            "correlation": corr,
            "scenarios": {"historical": frame_by_index(self.scenarios),
                          "factor_shocks": frame_by_index(self.factor_shocks),
                          "method": "historical: today's weights constant-mix through the "
                                    "episode's daily returns (uncovered holdings as cash); "
                                    "factor shocks: beta_SPY d_SPY + sum beta_k d_k from the "
                                    "factor regression, no intercept"},
            "notes": list(self.notes),
        }


def _plain(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, (np.floating, float)):
        return float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if v is pd.NaT:
        return None
    if isinstance(v, float) and np.isnan(v):
        return None
    return v


def _last_prices(close: pd.DataFrame, tickers: Sequence[str]) -> tuple[pd.Series, pd.Series]:
    """Each ticker's last close and its date (vectorised)."""
    v = close[list(tickers)].to_numpy(dtype=np.float64)
    ok = np.isfinite(v)
    has = ok.any(axis=0)
    last = len(v) - 1 - np.argmax(ok[::-1], axis=0)
    price = np.where(has, v[last, np.arange(v.shape[1])], np.nan)
    dates = pd.DatetimeIndex(np.where(has, close.index.values[last],
                                      np.datetime64("NaT", "ns")))
    return (pd.Series(price, index=list(tickers)), pd.Series(dates, index=list(tickers)))


def _aligned(close: pd.DataFrame, sessions: pd.DatetimeIndex, held: list[str],
             wv: np.ndarray, rp: pd.Series, extra: Sequence[str]
             ) -> tuple[pd.Series, pd.DataFrame, list[str]]:
    """Portfolio returns and the returns of the ``extra`` tickers that have closes on at
    least 95% of the window's ``sessions``, between consecutive sessions where all of
    them (and every holding) have a close; returns (portfolio, extras, dropped)."""
    extra = list(dict.fromkeys(extra))
    ex = close.reindex(index=sessions, columns=extra).to_numpy(dtype=np.float64)
    ok = np.isfinite(ex)
    cover = ok.mean(axis=0) if extra else np.array([])
    pos = [i for i, c in enumerate(cover) if c >= _FACTOR_COVERAGE]
    keep = [extra[i] for i in pos]
    dropped = [t for t in extra if t not in set(keep)]
    if ok[:, pos].all():
        # the kept tickers have a close on every session of the window: the portfolio's
        # returns are the window's own, only the extra tickers' returns are computed
        v = ex[:, pos]
        return rp, pd.DataFrame(v[1:] / v[:-1] - 1.0, index=sessions[1:], columns=keep), \
            dropped
    cols = list(dict.fromkeys([*held, *keep]))
    rets, _ = common_returns(close.reindex(index=sessions, columns=cols), None)
    port = pd.Series(rets[held].to_numpy() @ wv, index=rets.index)
    return port, rets[keep], dropped


def _needed(market: MarketView, wanted: Sequence[str]) -> list[str]:
    """``wanted`` plus the factor and style funds that have prices."""
    helpers = market.present([MARKET, *[t for ab in FACTORS.values() for t in ab],
                              *MAG7_BASIS, *STYLE_BASIS])
    return list(dict.fromkeys([*wanted, *helpers]))


def analyze_weights(market: MarketView, weights: pd.Series | Mapping[str, float], *,
                    window: Any = "1y", benchmark: str = "SPY", name: str = "portfolio",
                    holdings_table: pd.DataFrame | None = None,
                    fund_holdings: Mapping[str, pd.DataFrame] | None = None,
                    notes: Sequence[str] = (), _close: pd.DataFrame | None = None
                    ) -> PortfolioAnalysis:
    """Analyse portfolio ``weights`` (ticker -> fraction; the rest is cash) as of the
    view's date. See :func:`analyze_portfolio`."""
    w = pd.Series(weights, dtype=np.float64)
    w = w[w != 0.0]
    if not len(w):
        raise ParameterError("analyze_weights(): the portfolio holds nothing but cash")
    spec = str(window)
    rows = parse_portfolio_window(window)
    benchmark = benchmark.upper()
    w.index = pd.Index([str(t) for t in w.index], dtype=object)
    held = list(w.index)
    have = set(market.present([*held, benchmark]))
    unknown = [t for t in dict.fromkeys([*held, benchmark]) if t not in have]
    if unknown:
        raise UnknownTickerError(unknown, "the store (no prices)")
    wanted = list(dict.fromkeys([*held, benchmark]))
    cols = _needed(market, wanted)
    close = (_close if _close is not None and all(c in _close.columns for c in cols)
             else market.close(cols))
    notes = list(notes)
    as_of = market.as_of
    rets, more = common_returns(close[wanted], rows)
    notes.extend(more)
    if rets.index[-1] < as_of:
        lagging = [t for t in wanted if not np.isfinite(close.at[as_of, t])] \
            if as_of in close.index else wanted
        notes.append(f"the window ends {rets.index[-1]:%Y-%m-%d}, the last session on which "
                     f"every holding and the benchmark have a close (no close on "
                     f"{as_of:%Y-%m-%d} for {', '.join(lagging)})")
    wv = w.to_numpy()
    cash = float(1.0 - wv.sum())
    rp = rets[held].to_numpy() @ wv
    rb = rets[benchmark].to_numpy()
    returns = pd.DataFrame({"portfolio": rp, "benchmark": rb}, index=rets.index)
    metrics = performance_metrics(rp, rb)
    bmetrics = performance_metrics(rb, rb)
    # sessions of the window: the first return's previous session and every return date
    all_sess = close.index[np.isfinite(close[wanted].to_numpy()).all(axis=1)]
    start_pos = all_sess.get_loc(rets.index[0])
    sessions = all_sess[max(int(start_pos) - 1, 0):all_sess.get_loc(rets.index[-1]) + 1]

    # factor betas (portfolio and benchmark at once)
    fticks = [t for t in dict.fromkeys([MARKET, *[x for ab in FACTORS.values() for x in ab]])
              if t in close.columns]
    rp_s = pd.Series(rp, index=rets.index)
    port, frets, dropped = _aligned(close, sessions, held, wv, rp_s, [benchmark, *fticks])
    fac = factor_returns(frets)
    y = pd.DataFrame({"portfolio": port, "benchmark": frets[benchmark]})
    missing_f = [k for k in [MARKET, *FACTORS] if k not in fac.columns]
    if missing_f:
        notes.append("factors without prices over the window, left out of the regression: "
                     + ", ".join(missing_f) + (f" (no or partial closes for "
                                               f"{', '.join(dropped)})" if dropped else ""))
    fit = ols_betas(y, fac)
    factor_betas = pd.DataFrame({"beta": fit["betas"]["portfolio"],
                                 "std_error": fit["std_errors"]["portfolio"],
                                 "t_stat": fit["t_stats"]["portfolio"]})
    factor_fit = {"alpha_daily": float(fit["alpha"]["portfolio"]),
                  "alpha_t_stat": float(fit["alpha_t"]["portfolio"]),
                  "r_squared": float(fit["r_squared"]["portfolio"]),
                  "observations": int(fit["observations"]), "left_out": missing_f,
                  "benchmark_betas": {str(k): float(v) for k, v in
                                      fit["betas"]["benchmark"].items()},
                  "method": "OLS of daily portfolio returns on a constant, SPY's return and "
                            "the spread returns r_A - r_B; classical standard errors"}

    # contents, style estimates, exposure
    instruments = market.instruments()
    funds = fund_holdings if fund_holdings is not None else market.fund_holdings(
        list(dict.fromkeys([*held, MARKET])))
    contents = classify_holdings(held, instruments, funds)
    need = [t for t in held if contents.method[t] == "estimated"]
    basis = [t for t in MAG7_BASIS if t in close.columns]
    estimates: dict[str, StyleFit] = {}
    spy_mag7, spy_method = _market_mag7(contents, funds, instruments)
    targets = list(dict.fromkeys(need + ([MARKET] if spy_mag7 is None and MARKET in
                                         close.columns else [])))
    if targets and "MAGS" in basis:
        _, brets, bdrop = _aligned(close, sessions, held, wv, rp_s,
                                   [*targets, *[t for t in basis if t not in targets]])
        use = [t for t in basis if t in brets.columns and t not in targets]
        bdrop = [t for t in bdrop if t not in targets]
        if bdrop:
            notes.append("style basis without prices over the window: " + ", ".join(bdrop))
        fits = style_analysis(brets[targets], brets[use])
        estimates = {t: fits[t] for t in need}
        if spy_mag7 is None and MARKET in fits:
            spy_mag7, spy_method = float(fits[MARKET].weights.get("MAGS", 0.0)), \
                "style analysis"
    elif targets:
        notes.append("MAGS has no prices over the window: the Mag-7 share of funds "
                     "without holdings cannot be estimated")
    mag7 = mag7_exposure(w, contents, estimates, cash)
    by_sector = sector_exposure(w, contents, cash)
    by_style = _portfolio_style(close, sessions, held, wv, rp_s, notes)

    # risk, concentration, correlation
    rc, vol = risk_contribution(rets[held], w)
    conc = concentration(w)

    # scenarios
    scen = replay_episodes(close, w, benchmark, as_of)
    moves = shock_moves(spy_mag7 if spy_mag7 is not None else float("nan"))
    shocks = apply_shocks(fit["betas"], moves)
    shocks.insert(0, "label", [SHOCKS[k][0] for k in shocks.index])
    shocks["moves"] = [{c: float(moves.at[k, c]) for c in moves.columns
                        if moves.at[k, c] != 0.0} for k in moves.index]
    shocks["mag7_share_of_spy"] = spy_mag7
    shocks["mag7_share_of_spy_method"] = spy_method

    table = holdings_table if holdings_table is not None else pd.DataFrame(index=held)
    table = table.reindex(held)
    table["weight"] = wv
    table["method"] = contents.method.reindex(held).to_numpy()
    table["sector"] = contents.sector.reindex(held).to_numpy()
    return PortfolioAnalysis(
        name=name, as_of=as_of, benchmark=benchmark, window=spec, weights=w, cash=cash,
        holdings=table, returns=returns, metrics=metrics, benchmark_metrics=bmetrics,
        mag7=mag7, by_sector=by_sector, by_style=by_style, factor_betas=factor_betas,
        factor_fit=factor_fit, risk_contribution=rc, volatility=vol, concentration=conc,
        holding_returns=rets[held], scenarios=scen, factor_shocks=shocks, notes=notes)


def _market_mag7(contents: Contents, funds: Mapping[str, pd.DataFrame],
                 instruments: pd.DataFrame) -> tuple[float | None, str]:
    """SPY's Mag-7 share from a holdings file, if one is known."""
    if MARKET in funds:
        c = classify_holdings([MARKET], instruments, {MARKET: funds[MARKET]})
        return float(c.mag7.loc[MARKET].sum()), "holdings file"
    return None, "unknown"


def _portfolio_style(close: pd.DataFrame, sessions: pd.DatetimeIndex, held: list[str],
                     wv: np.ndarray, rp: pd.Series, notes: list[str]) -> dict[str, Any]:
    basis = [t for t in STYLE_BASIS if t in close.columns]
    if len(basis) < 2:
        return {"weights": {}, "note": "style basis funds have no prices"}
    port, rets, dropped = _aligned(close, sessions, held, wv, rp, basis)
    use = [t for t in basis if t in rets.columns]
    if dropped:
        notes.append("style funds without prices over the window: " + ", ".join(dropped))
    y = port.rename("portfolio")
    fit = style_analysis(y, rets[use])["portfolio"]
    return {"weights": {t: float(v) for t, v in fit.weights.items()},
            "labels": {t: STYLE_BASIS[t] for t in use}, "r_squared": fit.r_squared,
            "tracking_error": fit.tracking_error, "observations": fit.observations,
            "method": "returns-based style analysis (Sharpe 1992): NNLS of the portfolio's "
                      "daily returns on the style funds, weights >= 0 summing to 1"}


def analyze_portfolio(market: MarketView, holdings: Holdings | pd.DataFrame, *,
                      window: Any = "1y", benchmark: str = "SPY", leverage: bool = False,
                      fund_holdings: Mapping[str, pd.DataFrame] | None = None
                      ) -> PortfolioAnalysis:
    """Analyse ``holdings`` as of the market view's date.

    Parameters
    ----------
    market : the point-in-time market (prices, instruments, fund holdings files).
    holdings : a :class:`Holdings` or the frame of ``read_holdings``.
    window : ``"1y"`` (252 daily returns), ``"6m"``, ``"20y"``, an int, or ``"all"``.
    benchmark : the benchmark ticker.
    leverage : allow weights summing above 1 and negative weights.
    fund_holdings : fund -> holdings rows, instead of the market view's stored files.

    Returns
    -------
    PortfolioAnalysis

    Raises
    ------
    UnknownTickerError
        Holdings (or the benchmark) without prices, all listed.
    FileFormatError
        Weights above 1 or negative without ``leverage``.
    DataError
        Fewer than 20 common daily returns.
    """
    h = holdings if isinstance(holdings, Holdings) else Holdings.from_frame(holdings)
    tickers = h.tickers
    if not tickers:
        raise DataError(f"{h.source}: the holdings hold nothing but cash")
    have = set(market.present(tickers))
    missing = [t for t in tickers if t not in have]
    if missing:
        raise UnknownTickerError(missing, f"the holdings file {h.source} (no prices in the "
                                 "store)", "Import them with `rotascope data import PATH` "
                                 "or check the spelling.")
    # one load of every close the analysis needs (holdings, benchmark, factor and style
    # funds), handed to analyze_weights
    close = market.close(_needed(market, [*tickers, benchmark.upper()]))
    price, when = _last_prices(close, tickers)
    notes: list[str] = []
    stale = when[when < market.as_of]
    if h.kind == "shares" and len(stale):
        notes.append("shares valued at closes before the as-of date: " + ", ".join(
            f"{t} ({d:%Y-%m-%d})" for t, d in stale.items()))
    weights = h.weights(price, leverage=leverage)
    if h.kind == "shares":
        table = h.values(price)
    else:
        table = pd.DataFrame({"price": price}, index=pd.Index(tickers, name="ticker"))
    table["price_date"] = when
    return analyze_weights(market, weights, window=window, benchmark=benchmark, name=h.name,
                           holdings_table=table, fund_holdings=fund_holdings, notes=notes,
                           _close=close)


# -- what-if --------------------------------------------------------------------------------

def parse_move(spec: str) -> tuple[float, str, str]:
    """``"30%:QQQ:RSP"`` -> (0.30, "QQQ", "RSP"); the amount is a fraction of the whole
    portfolio (``0.3`` also accepted); ``CASH`` stands for cash."""
    parts = [p.strip() for p in str(spec).split(":")]
    if len(parts) != 3 or not all(parts):
        raise ParameterError(f"--move: expected AMOUNT:FROM:TO like 30%:QQQ:RSP, got {spec!r}")
    amount_s, src, dst = parts
    try:
        amount = (float(amount_s[:-1]) / 100.0 if amount_s.endswith("%")
                  else float(amount_s))
    except ValueError:
        raise ParameterError(f"--move: amount {amount_s!r} is not a number like 30% or "
                             "0.3") from None
    if not (0 < amount <= 10):
        raise ParameterError(f"--move: amount must be above 0, got {amount_s!r}")
    return amount, src.upper().replace(".", "-"), dst.upper().replace(".", "-")


@dataclass(frozen=True)
class WhatIf:
    """Before and after a set of moves: both analyses and every figure side by side."""

    moves: list[tuple[float, str, str]]
    before: PortfolioAnalysis
    after: PortfolioAnalysis

    def comparison(self) -> pd.DataFrame:
        """Rows: dotted figure names; columns before, after, change."""
        b, a = self.before.figures(), self.after.figures()
        idx = list(dict.fromkeys([*b.index, *a.index]))
        out = pd.DataFrame({"before": b.reindex(idx), "after": a.reindex(idx)})
        out["change"] = out["after"] - out["before"]
        return out

    def to_dict(self) -> dict[str, Any]:
        comp = self.comparison()
        return {"moves": [{"amount": m, "from": s, "to": t} for m, s, t in self.moves],
                "before": self.before.to_dict(), "after": self.after.to_dict(),
                "comparison": {k: {c: _plain(v) for c, v in r.items()}
                               for k, r in zip(comp.index, comp.to_dict(orient="records"),
                                               strict=True)}}


def what_if(market: MarketView, holdings: Holdings | pd.DataFrame,
            moves: Sequence[str | tuple[float, str, str]], *, window: Any = "1y",
            benchmark: str = "SPY", leverage: bool = False,
            fund_holdings: Mapping[str, pd.DataFrame] | None = None) -> WhatIf:
    """Analyse ``holdings`` before and after ``moves`` (each ``"30%:QQQ:RSP"``: move 30%
    of the portfolio's value from QQQ to RSP; ``CASH`` for cash), applied in order to the
    weights at the as-of close."""
    parsed = [parse_move(m) if isinstance(m, str) else (float(m[0]), m[1].upper(),
                                                          m[2].upper()) for m in moves]
    if not parsed:
        raise ParameterError("what_if(): give at least one move like 30%:QQQ:RSP")
    before = analyze_portfolio(market, holdings, window=window, benchmark=benchmark,
                               leverage=leverage, fund_holdings=fund_holdings)
    new = [t for _, _, t in parsed if t not in CASH_TICKERS and not market.has(t)]
    if new:
        raise UnknownTickerError(new, "--move targets (no prices in the store)")
    w = before.weights
    for amount, src, dst in parsed:
        w = move_weight(w, amount, src, dst)
    after = analyze_weights(market, w, window=window, benchmark=benchmark,
                            name=f"{before.name} (after)", fund_holdings=fund_holdings)
    return WhatIf(parsed, before, after)


# -- the weekly note's "your portfolio" section ----------------------------------------------

def portfolio_note_section(analysis: PortfolioAnalysis) -> dict[str, Any]:
    """The data of a "your portfolio" section of the weekly note: headline figures (each
    with value and definition) and short sentences built from them."""
    m = analysis.metrics
    mag = analysis.mag7
    worst = analysis.scenarios.dropna(subset=["portfolio_return"]) \
        if "portfolio_return" in analysis.scenarios.columns else analysis.scenarios.iloc[0:0]
    top_rc = analysis.risk_contribution["share"].sort_values(ascending=False)
    figures = {
        "annual_return": {"value": float(m["annual_return"]),
                          "definition": f"CAGR over the {analysis.window} window"},
        "excess_return_vs_benchmark": {
            "value": float(m["annual_return"] - analysis.benchmark_metrics["annual_return"]),
            "definition": f"annual return minus {analysis.benchmark}'s"},
        "annual_volatility": {"value": float(m["annual_volatility"]),
                              "definition": "std of daily returns x sqrt(252)"},
        "beta": {"value": float(m["beta"]), "definition": f"against {analysis.benchmark}"},
        "mag7_exposure": {"value": float(mag["total"]),
                          "definition": "look-through plus estimated Mag-7 share"},
        "largest_risk_contributor": {"value": float(top_rc.iloc[0]),
                                     "ticker": str(top_rc.index[0]),
                                     "definition": "share of volatility (Euler)"},
    }
    text = [f"Over the {analysis.window} window to {analysis.end:%Y-%m-%d} the portfolio "
            f"returned {m['annual_return']:+.1%} a year against "
            f"{analysis.benchmark_metrics['annual_return']:+.1%} for {analysis.benchmark}, "
            f"with volatility {m['annual_volatility']:.1%} and beta {m['beta']:.2f}.",
            f"Mag-7 exposure: {mag['total']:.1%} ({mag['look_through']:.1%} look-through, "
            f"{mag['estimated']:.1%} estimated).",
            f"{top_rc.index[0]} carries {top_rc.iloc[0]:.0%} of the portfolio's risk."]
    if len(worst):
        k = worst["portfolio_return"].idxmin()
        row = worst.loc[k]
        text.append(f"Worst replayed episode: {row['label']}: {row['portfolio_return']:+.1%} "
                    f"(benchmark {row['benchmark_return']:+.1%}).")
    shock = analysis.factor_shocks
    if "mag7_down20_rest_up5" in shock.index:
        v = float(shock.at["mag7_down20_rest_up5", "portfolio"])
        if np.isfinite(v):
            text.append(f"If the Mag-7 fell 20% while the rest rose 5%, the factor model "
                        f"puts the portfolio at {v:+.1%}.")
    return {"title": f"Your portfolio: {analysis.name}", "as_of": analysis.as_of,
            "figures": figures, "text": text}
