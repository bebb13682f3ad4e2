"""Independent re-derivation of every figure kind of note.json, from the store's tables.

Reads prices and memberships with plain SQL (no rotascope code), computes each figure
with plain pandas / numpy / TA-Lib from its ``kind`` and ``inputs``, as of the figure's
own ``as_of``. Written separately from the report's code, from the definitions in
``rotascope.outputs.report.figures.FIGURE_KINDS`` and ``docs/report.md``.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import talib
import yaml

RULES_FILE = (Path(__file__).resolve().parents[2] / "src" / "rotascope" / "analysis"
              / "regime_rules.yaml")


class Oracle:
    """Recompute figures from a store file (opened read-only)."""

    def __init__(self, store_path: Path, note: dict[str, Any]) -> None:
        self.con = duckdb.connect(str(store_path), read_only=True)
        self.store_path = Path(store_path)
        self.note = note
        self.rules = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
        self._cache: dict[Any, Any] = {}

    def close(self) -> None:
        self.con.close()

    # -- data ------------------------------------------------------------------------
    def s(self, ticker: str, as_of: str) -> pd.Series:
        key = ("s", ticker, as_of)
        if key not in self._cache:
            df = self.con.execute("SELECT date, close FROM prices WHERE ticker = ? AND "
                                  "date <= ? ORDER BY date", [ticker, as_of]).df()
            self._cache[key] = pd.Series(df["close"].to_numpy(float),
                                         index=pd.to_datetime(df["date"]), name=ticker)
        return self._cache[key]

    def ratio(self, a: str, b: str, as_of: str) -> pd.Series:
        both = pd.concat([self.s(a, as_of), self.s(b, as_of)], axis=1, join="inner")
        r = both.iloc[:, 0] / both.iloc[:, 1]
        return r[np.isfinite(r)]

    def members_matrix(self, universe: str, as_of: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(close, member mask) of every ticker ever in ``universe`` with prices."""
        key = ("m", universe, as_of)
        if key in self._cache:
            return self._cache[key]
        iv = self.con.execute("SELECT ticker, start_date, end_date FROM universe_members "
                              "WHERE universe = ?", [universe]).df()
        tickers = sorted(set(iv["ticker"]))
        long = self.con.execute(
            "SELECT ticker, date, close FROM prices WHERE date <= ? AND ticker IN "
            "(SELECT unnest(?))", [as_of, tickers]).df()
        close = long.pivot(index="date", columns="ticker", values="close").sort_index()
        close.index = pd.to_datetime(close.index)
        mask = pd.DataFrame(False, index=close.index, columns=close.columns)
        dates = close.index.to_numpy()
        for r in iv.itertuples():
            if r.ticker not in mask.columns:
                continue
            ok = np.ones(len(dates), dtype=bool)
            if pd.notna(r.start_date):
                ok &= dates >= np.datetime64(pd.Timestamp(r.start_date))
            if pd.notna(r.end_date):
                ok &= dates < np.datetime64(pd.Timestamp(r.end_date))
            mask[r.ticker] = mask[r.ticker].to_numpy() | ok
        self._cache[key] = (close, mask)
        return close, mask

    # -- plain formulas ----------------------------------------------------------------
    @staticmethod
    def ret(s: pd.Series, window: Any) -> float:
        if window == "ytd":
            year = s.index[-1].year
            prev = s[s.index.year == year - 1]
            return float(s.iloc[-1] / prev.iloc[-1] - 1) if len(prev) else math.nan
        w = int(window)
        return float(s.iloc[-1] / s.iloc[-1 - w] - 1) if len(s) > w else math.nan

    @staticmethod
    def pct_vs_sma(s: pd.Series, w: int) -> float:
        return float(s.iloc[-1] / s.iloc[-w:].mean() - 1) if len(s) >= w else math.nan

    @staticmethod
    def rsi(s: pd.Series, w: int) -> float:
        return float(talib.RSI(s.to_numpy(float), timeperiod=w)[-1])

    @staticmethod
    def band(s: pd.Series, width: float) -> tuple[float, float, int]:
        """Longest trailing run with max <= (1 + width) * min: (floor, ceiling, days)."""
        x = s.to_numpy(float)
        hi = lo = x[-1]
        k = len(x) - 1
        while k > 0:
            c = x[k - 1]
            nh, nl = max(hi, c), min(lo, c)
            if nh > (1 + width) * nl:
                break
            hi, lo, k = nh, nl, k - 1
        return lo, hi, len(x) - k

    @staticmethod
    def rebound(s: pd.Series, window: int, min_decline: float) -> tuple[float, float, int]:
        """The latest pending decline read as a zigzag with threshold d (documented in
        rotascope.signals.drawdown.rebound): (decline, retraced, days since trough)."""
        x = s.to_numpy(float)
        d = min_decline
        p = q = h = None          # peak, pending trough, highest close since the trough
        for t, v in enumerate(x):
            if p is None or v >= x[p]:
                p, q, h = t, None, None                      # new high: no decline
            elif q is None:
                if v <= (1 - d) * x[p]:
                    q = t                                    # a decline starts
            elif h is not None and x[h] >= (1 + d) * x[q] and v <= (1 - d) * x[h]:
                p, q, h = h, t, None                         # a new decline from the bounce
            elif v < x[q]:
                q, h = t, None                               # a lower low extends it
            elif h is None or v >= x[h]:
                h = t
        last = len(x) - 1
        if q is None or last - q >= window:
            return math.nan, math.nan, -1
        return x[q] / x[p] - 1, (x[-1] - x[q]) / (x[p] - x[q]), last - q

    @staticmethod
    def months_extreme(r: pd.Series, side: str, month_rows: int, max_months: int) -> int:
        x = r.to_numpy(float)
        run = 0
        for v in x[-2::-1]:
            if (v > x[-1]) if side == "low" else (v < x[-1]):
                run += 1
            else:
                break
        return min(run // month_rows, max_months)

    def rrg(self, a: str, b: str, as_of: str, smoothing: int, window: int, mwindow: int,
            lag: int) -> tuple[float, float]:
        both = pd.concat([self.s(a, as_of), self.s(b, as_of)], axis=1, join="inner")
        rs = 100 * both.iloc[:, 0] / both.iloc[:, 1]
        weekly = rs.groupby(rs.index.to_period("W-FRI")).last()
        if smoothing > 1:
            weekly = pd.Series(talib.EMA(weekly.to_numpy(float), smoothing),
                               index=weekly.index)
        ratio = 100 + (weekly - weekly.rolling(window).mean()) / weekly.rolling(window).std()
        roc = 100 * (ratio / ratio.shift(lag) - 1)
        mom = 100 + (roc - roc.rolling(mwindow).mean()) / roc.rolling(mwindow).std()
        ok = ratio.notna() & mom.notna()
        return float(ratio[ok].iloc[-1]), float(mom[ok].iloc[-1])

    def lead_lag(self, a: str, b: str, as_of: str, max_lag: int) -> dict[int, float]:
        both = pd.concat([self.s(a, as_of), self.s(b, as_of)], axis=1, join="inner")
        ra = both.iloc[:, 0].pct_change().iloc[1:].reset_index(drop=True)
        rb = both.iloc[:, 1].pct_change().iloc[1:].reset_index(drop=True)
        out = {}
        for k in range(-max_lag, max_lag + 1):
            pair = pd.concat([ra, rb.shift(-k)], axis=1).dropna()
            out[k] = float(pair.iloc[:, 0].corr(pair.iloc[:, 1])) if len(pair) >= 20 else math.nan
        return out

    # -- breadth --------------------------------------------------------------------------
    def breadth_at(self, universe: str, as_of: str) -> dict[str, float]:
        key = ("b", universe, as_of)
        if key in self._cache:
            return self._cache[key]
        close, mask = self.members_matrix(universe, as_of)
        day = close.index[-1]
        members = [t for t in close.columns if mask.at[day, t]]
        out: dict[str, float] = {"members": len(members),
                                 "with_close": sum(pd.notna(close.at[day, t]) for t in members)}
        for w in (20, 50, 200):
            counted = above = 0
            for t in members:
                own = close[t].dropna()
                if own.index[-1] != day if len(own) else True:
                    continue
                if len(own) >= w:
                    counted += 1
                    m = own.iloc[-w:].mean()
                    above += own.iloc[-1] - m > 1e-12 * abs(m)
            out[f"counted_{w}"] = counted
            out[f"pct_above_sma_{w}"] = above / counted if counted else math.nan
        nh = nl = chl = 0
        for t in members:
            own = close[t].dropna()
            if not len(own) or own.index[-1] != day or len(own) < 253:
                continue
            chl += 1
            prev = own.iloc[-253:-1]
            nh += own.iloc[-1] > prev.max()
            nl += own.iloc[-1] < prev.min()
        out.update(new_highs=nh, new_lows=nl, counted_high_low=chl,
                   net_new_highs=nh - nl)
        prev = close.ffill().shift(1)
        valid = close.notna() & prev.notna() & mask
        adv = ((close > prev) & valid).sum(axis=1)
        dec = ((close < prev) & valid).sum(axis=1)
        both = adv + dec
        rana = (1000.0 * (adv - dec) / both.where(both > 0)).dropna()
        e19 = pd.Series(talib.EMA(rana.to_numpy(float), 19), index=rana.index)
        e39 = pd.Series(talib.EMA(rana.to_numpy(float), 39), index=rana.index)
        osc = e19 - e39
        out["mcclellan_oscillator"] = float(osc.get(day, math.nan))
        out["mcclellan_summation"] = float(osc.cumsum(skipna=True).get(day, math.nan))
        self._cache[key] = out
        return out

    def member_returns(self, universe: str, as_of: str, window: int,
                       exclude: tuple[str, ...] = ()) -> list[float]:
        close, mask = self.members_matrix(universe, as_of)
        day = close.index[-1]
        out = []
        for t in close.columns:
            if not mask.at[day, t] or t in exclude:
                continue
            own = close[t].dropna()
            if len(own) and own.index[-1] == day and len(own) > window:
                out.append(float(own.iloc[-1] / own.iloc[-1 - window] - 1))
        return out

    def basket(self, as_of: str, window: int, series: list[str] | None,
               universe: str | None, exclude: tuple[str, ...] = ()) -> float:
        """Equal-weight basket rebalanced daily, compounded over its last ``window``
        returns; members point in time for a universe."""
        if series:
            frame = pd.concat([self.s(t, as_of) for t in series], axis=1)
            mask = pd.DataFrame(True, index=frame.index, columns=frame.columns)
        else:
            close, m = self.members_matrix(universe, as_of)
            cols = [c for c in close.columns if c not in exclude]
            frame, mask = close[cols], m[cols]
        prev = frame.ffill().shift(1)
        r = (frame / prev - 1).where(frame.notna() & prev.notna() & mask)
        daily = r.mean(axis=1).dropna()
        return float(np.prod(1 + daily.iloc[-window:].to_numpy()) - 1)

    # -- regime -----------------------------------------------------------------------------
    def measure(self, m: dict[str, Any], as_of: str) -> float:
        kind = m["kind"]
        if kind == "pct_vs_sma":
            return self.pct_vs_sma(self.s(m["ticker"], as_of), m["window"])
        if kind == "return":
            return self.ret(self.s(m["ticker"], as_of), m["window"])
        if kind == "ratio_return":
            return self.ret(self.ratio(m["a"], m["b"], as_of), m["window"])
        if kind == "ratio_vs_sma":
            return self.pct_vs_sma(self.ratio(m["a"], m["b"], as_of), m["window"])
        if kind == "level_change":
            s = self.s(m["ticker"], as_of)
            return float(s.iloc[-1] - s.iloc[-1 - m["window"]])
        if kind == "rsi":
            return self.rsi(self.s(m["ticker"], as_of), m["window"])
        if kind == "pct_from_high":
            s = self.s(m["ticker"], as_of)
            w = m["window"]
            return float(s.iloc[-1] / s.iloc[-w:].max() - 1) if len(s) >= w else math.nan
        if kind == "basket_return":
            num, den = list(m["numerator"]), list(m["denominator"])
            frame = pd.concat([self.s(t, as_of) for t in num + den], axis=1)
            daily = frame.pct_change(fill_method=None)
            r = ((1 + daily[num].mean(axis=1)).cumprod()
                 / (1 + daily[den].mean(axis=1)).cumprod())
            return float(r.iloc[-1] / r.iloc[-1 - m["window"]] - 1)
        if kind == "breadth":
            b = self.breadth_at("sp500", as_of)
            v = b[m["field"]]
            return v / b[m["per"]] if "per" in m else v
        raise AssertionError(f"no oracle for measure kind {kind!r}")

    def threshold(self, sid: str, side: str) -> float:
        return float(re.sub(r"^[<>=\s]+", "", str(self.rules["signals"][sid][side])))

    def votes(self, as_of: str) -> dict[str, tuple[str, float, float | None]]:
        key = ("votes", as_of)
        if key in self._cache:
            return self._cache[key]
        out = {}
        for sid, spec in self.rules["signals"].items():
            v = self.measure(spec["measure"], as_of)
            vote: float | None = None
            if not math.isnan(v):
                vote = 0.0
                for side, val in (("minus", -1.0), ("plus", 1.0)):
                    if side in spec:
                        op, thr = re.match(r"^\s*(<=|>=|<|>)\s*(\S+)", spec[side]).groups()
                        t = float(thr)
                        hit = {">": v > t, ">=": v >= t, "<": v < t, "<=": v <= t}[op]
                        if hit:
                            vote = val
            out[sid] = (spec["group"], float(spec.get("weight", 1.0)), vote)
        self._cache[key] = out
        return out

    def score(self, group: str, as_of: str) -> float:
        items = [(w, v) for g, w, v in self.votes(as_of).values() if g == group and v is not None]
        den = sum(w for w, _ in items)
        return sum(w * v for w, v in items) / den if den else math.nan

    def confidence(self, verdict: str, as_of: str) -> float:
        spec = next(v for v in self.rules["verdicts"] if v["name"] == verdict)
        when = spec.get("when") or {}
        if not when:
            main = [self.score(g, as_of) for g in ("risk", "participation", "leadership")]
            return 1 - max(0.0 if math.isnan(x) else abs(x) for x in main)
        direction = {g: (1 if b.get("min") is not None else -1) for g, b in when.items()}
        num = den = 0.0
        for g, w, v in self.votes(as_of).values():
            if v is None or v == 0 or g not in direction:
                continue
            den += w
            num += w * (v == direction[g])
        return num / den if den else 0.0

    # -- the verdict's track record ----------------------------------------------------
    def regime_frames(self, as_of: str, universe: str) -> tuple[pd.Series, pd.DataFrame]:
        """(confirmed verdict, group scores) per date up to ``as_of``: the regime history
        is the input here (rotascope's replay of the rules); everything derived from it
        below is plain pandas."""
        key = ("regime", as_of, universe)
        if key not in self._cache:
            from rotascope.analysis.inputs import load_regime_inputs
            from rotascope.analysis.regime import load_rules, regime_history
            from rotascope.data.store import Store
            from rotascope.market_view import MarketView

            rules = load_rules(None)
            with Store(self.store_path, read_only=True) as store:
                inputs = load_regime_inputs(MarketView.open(store, None, as_of=as_of), rules,
                                            universe=universe)
                hist = regime_history(inputs.close, inputs.breadth, rules)
            self._cache[key] = (hist.verdict, hist.scores)
        return self._cache[key]

    def track_record(self, i: dict[str, Any], as_of: str) -> dict[str, float]:
        """Spells counted, their median forward SPY return, the base-rate median."""
        verdict, scores = self.regime_frames(as_of, i["universe"])
        scores = scores.loc[:as_of]
        # first session on which every group that ever scores has a score
        since = max(scores[c].dropna().index[0] for c in scores.columns
                    if scores[c].notna().any())
        assert since == pd.Timestamp(i["since"]), (since, i["since"])
        spy = self.s("SPY", as_of)
        spy = spy[spy.index >= since]
        h = i["window"]
        # forward return from each session; None once the window runs past as_of
        fwd = {spy.index[k]: spy.iloc[k + h] / spy.iloc[k] - 1 for k in range(len(spy) - h)}
        v = verdict.reindex(spy.index).dropna()
        starts = [d for k, d in enumerate(v.index) if k == 0 or v.iloc[k] != v.iloc[k - 1]]
        mine = [d for d in starts if v[d] == i["verdict"] and d in fwd]
        return {"spells": len(mine), "median": float(np.median([fwd[d] for d in mine])),
                "base": float(np.median(list(fwd.values())))}

    # -- one figure -----------------------------------------------------------------------
    def value(self, fig: dict[str, Any]) -> float:
        k, i, d = fig["kind"], fig["inputs"], fig["as_of"]
        ser = i.get("series", [])
        if k == "close" or k == "yield":
            return float(self.s(ser[0], d).iloc[-1])
        if k == "return":
            return self.ret(self.s(ser[0], d), i["window"])
        if k == "return_spread":
            return (self.ret(self.s(ser[0], d), i["window"])
                    - self.ret(self.s(ser[1], d), i["window"]))
        if k == "return_since":
            s = self.s(ser[0], d)
            return float(s.iloc[-1] / s.loc[:i["since"]].iloc[-1] - 1)
        if k == "pct_vs_level":
            return float(self.s(ser[0], d).iloc[-1] / i["level"] - 1)
        if k == "basket_return":
            return self.basket(d, i["window"], ser or None, i.get("universe"),
                               tuple(i.get("exclude", ())))
        if k == "basket_spread":
            return (self.basket(d, i["window"], ser, None)
                    - self.basket(d, i["window"], None, i["universe"], tuple(i["exclude"])))
        if k == "count_above_sma":
            return sum(self.pct_vs_sma(self.s(t, d), i["window"]) > 0 for t in ser)
        if k == "count_members":
            return sum(len(self.s(t, d)) >= i["window"] for t in ser)
        if k == "ratio":
            return float(self.ratio(ser[0], ser[1], d).iloc[-1])
        if k == "ratio_return":
            return self.ret(self.ratio(ser[0], ser[1], d), i["window"])
        if k == "ratio_pct_vs_sma":
            return self.pct_vs_sma(self.ratio(ser[0], ser[1], d), i["window"])
        if k == "ratio_months_extreme":
            return self.months_extreme(self.ratio(ser[0], ser[1], d), i["side"],
                                       i["month_rows"], i["max_months"])
        if k == "pct_vs_sma":
            return self.pct_vs_sma(self.s(ser[0], d), i["window"])
        if k == "sma":
            return float(self.s(ser[0], d).iloc[-i["window"]:].mean())
        if k == "sma_slope":
            s, w, kk = self.s(ser[0], d), i["window"], i["k"]
            return float(s.iloc[-w:].mean() / s.iloc[-w - kk:-kk].mean() - 1)
        if k == "rsi":
            return self.rsi(self.s(ser[0], d), i["window"])
        if k == "pct_from_high":
            s = self.s(ser[0], d)
            return float(s.iloc[-1] / s.iloc[-i["window"]:].max() - 1)
        if k == "drawdown":
            s = self.s(ser[0], d)
            return float(s.iloc[-1] / s.max() - 1)
        if k == "worst_decline":
            x = self.s(ser[0], d).to_numpy(float)[-i["window"] - 1:]
            return float(min(x[j] / x[:j + 1].max() - 1 for j in range(len(x))))
        if k in ("range_floor", "range_ceiling", "range_days"):
            floor, ceiling, days = self.band(self.s(ser[0], d), i["width"])
            assert days >= i["min_days"], (fig["id"], days)
            return {"range_floor": floor, "range_ceiling": ceiling, "range_days": days}[k]
        if k in ("rebound_decline", "rebound_retraced", "rebound_days"):
            dec, ret, days = self.rebound(self.s(ser[0], d), i["window"], i["min_decline"])
            return {"rebound_decline": dec, "rebound_retraced": ret, "rebound_days": days}[k]
        if k == "yield_change":
            s = self.s(ser[0], d)
            return float(s.iloc[-1] - s.iloc[-1 - i["window"]])
        if k.startswith("breadth_") or k.startswith("mcclellan_"):
            b = self.breadth_at(i["universe"], d)
            field = {"breadth_share": f"pct_above_sma_{i.get('window')}",
                     "breadth_counted": f"counted_{i.get('window')}",
                     "breadth_new_highs": "new_highs", "breadth_new_lows": "new_lows",
                     "breadth_counted_high_low": "counted_high_low",
                     "breadth_members": "members", "breadth_with_close": "with_close",
                     "mcclellan_oscillator": "mcclellan_oscillator",
                     "mcclellan_summation": "mcclellan_summation"}[k]
            return b[field]
        if k in ("participation_up", "participation_counted"):
            r = self.member_returns(i["universe"], d, i["window"])
            return sum(x > 0 for x in r) if k == "participation_up" else len(r)
        if k in ("rrg_ratio", "rrg_momentum"):
            ratio, mom = self.rrg(ser[0], ser[1], d, i["smoothing"], i["window"],
                                  i["momentum_window"], i["momentum_lag"])
            return ratio if k == "rrg_ratio" else mom
        if k in ("lead_lag", "lead_lag_corr", "corr"):
            cc = self.lead_lag(ser[0], ser[1], d, i.get("max_lag", 10))
            if k == "corr":
                return cc[0]
            order = sorted(cc, key=lambda lag: (-cc[lag], abs(lag), -np.sign(lag)))
            best = order[0]
            return abs(best) if k == "lead_lag" else cc[best]
        if k == "regime_measure":
            return self.measure(i["measure"], d)
        if k == "regime_threshold":
            return self.threshold(i["signal"], i["side"])
        if k == "regime_gap":
            spec = self.rules["signals"][i["signal"]]
            return self.measure(spec["measure"], d) - self.threshold(i["signal"], i["side"])
        if k == "regime_score":
            return self.score(i["group"], d)
        if k == "regime_confidence":
            return self.confidence(i["verdict"], d)
        if k == "portfolio_metric":
            return self.portfolio_metric(i, d)
        if k in ("verdict_spells", "verdict_forward_median", "forward_median_base"):
            tr = self.track_record(i, d)
            return {"verdict_spells": tr["spells"], "verdict_forward_median": tr["median"],
                    "forward_median_base": tr["base"]}[k]
        raise AssertionError(f"no oracle for figure kind {k!r} ({fig['id']})")

    def portfolio_metric(self, i: dict[str, Any], as_of: str) -> float:
        """A constant-mix portfolio's metric, from the closes with plain pandas."""
        w = pd.Series(i["weights"], dtype=float)
        if i["metric"] == "mag7_look_through":
            mag7 = ["AAPL", "MSFT", "GOOGL", "AMZN", "NVDA", "META", "TSLA"]
            return float(w.reindex(mag7).fillna(0).sum() + w.get("MAGS", 0.0))
        cols = list(dict.fromkeys([*w.index, i["benchmark"]]))
        close = pd.concat({t: self.s(t, as_of) for t in cols}, axis=1, sort=True).dropna()
        r = close.pct_change().dropna().iloc[-i["window"]:]
        port = (r[list(w.index)] * w).sum(axis=1)
        x = r[i["benchmark"]] if i.get("of") == "benchmark" else port
        m = i["metric"]
        if m == "annual_return":
            return float((1 + x).prod() ** (252 / len(x)) - 1)
        if m == "annual_volatility":
            return float(x.std(ddof=1) * np.sqrt(252))
        if m == "max_drawdown":
            wealth = (1 + x).cumprod()
            return float((wealth / wealth.cummax().clip(lower=1.0) - 1).min())
        if m == "beta":
            b = r[i["benchmark"]]
            return float(((x - x.mean()) * (b - b.mean())).sum() / ((b - b.mean()) ** 2).sum())
        raise AssertionError(f"no oracle for portfolio metric {m!r}")


def expected_display(value: float, unit: str) -> str:
    """The display of ``value`` in ``unit`` as documented (written independently)."""
    def signed(x: float, digits: int, suffix: str) -> str:
        r = round(x, digits)
        if r == 0:
            return f"{0:.{digits}f}{suffix}"
        return f"{r:+.{digits}f}{suffix}"

    if unit == "pct":
        return signed(value * 100, 1, "%")
    if unit == "pct_abs":
        return f"{round(abs(value) * 100, 1):.1f}%"
    if unit == "share":
        return f"{value * 100:.0f}%"
    if unit == "pp":
        return signed(value * 100, 1, " pp")
    if unit == "pp_abs":
        return f"{abs(value) * 100:.1f} pp"
    if unit == "bp":
        return signed(value * 100, 0, " bp")
    if unit == "bp_abs":
        return f"{abs(value) * 100:.0f} bp"
    if unit == "yield":
        return f"{value:.2f}%"
    if unit == "level":
        return f"{value:,.2f}"
    if unit == "ratio":
        return f"{value:.4g}"
    if unit == "index":
        return f"{value:.1f}"
    if unit == "index_abs":
        return f"{abs(value):.1f}"
    if unit == "count":
        return f"{int(value):,d}"
    if unit == "corr":
        return f"{value:.2f}"
    if unit == "score":
        return signed(value, 2, "")
    raise AssertionError(f"unknown unit {unit}")


@lru_cache(maxsize=1)
def kinds() -> tuple[str, ...]:
    from rotascope.outputs.report.figures import FIGURE_KINDS

    return tuple(FIGURE_KINDS)
