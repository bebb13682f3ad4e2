"""The holdings model: positions as read from a file (weights or shares), turned into
portfolio weights at the as-of close.

Conventions
-----------
* ``weight`` holdings are fractions of the portfolio's value; ``1 - sum(weights)`` is
  cash (0 return). A sum above 1 (or a negative weight) is leverage and an error unless
  ``leverage=True``.
* ``shares`` holdings are valued at each ticker's last close on or before the as-of
  date: ``w_i = shares_i * close_i / sum_j shares_j * close_j``; a ``CASH`` (or ``USD``)
  row counts its shares as currency units, so it is cash.
* A ticker held in several accounts is one position (weights or shares added).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...errors import FileFormatError, ParameterError

__all__ = ["Holdings", "CASH_TICKERS", "move_weight"]

#: Tickers that mean cash in a holdings file.
CASH_TICKERS = frozenset({"CASH", "USD"})


@dataclass(frozen=True)
class Holdings:
    """Positions of a portfolio.

    Attributes
    ----------
    positions : DataFrame with columns ticker, weight, shares, cost, account, line (as
        :func:`rotascope.data.holdings.read_holdings` returns them).
    kind : ``"weight"`` or ``"shares"``.
    source : the file (for messages), or ``"<weights>"``.
    name : a label for reports.
    """

    positions: pd.DataFrame
    kind: str
    source: str = "<weights>"
    name: str = "portfolio"

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Holdings:
        """From the frame of :func:`rotascope.data.holdings.read_holdings`."""
        kind = frame.attrs.get("kind") or ("shares" if frame["weight"].isna().all()
                                           else "weight")
        return cls(positions=frame.reset_index(drop=True), kind=str(kind),
                   source=str(frame.attrs.get("source", "<frame>")),
                   name=str(frame.attrs.get("name", "portfolio")))

    @classmethod
    def from_weights(cls, weights: Mapping[str, float] | pd.Series, *,
                     name: str = "portfolio") -> Holdings:
        """From ``{ticker: weight}`` (fractions; the rest is cash)."""
        items = list(pd.Series(weights, dtype=np.float64).items())
        frame = pd.DataFrame({"ticker": [str(t).upper() for t, _ in items],
                              "weight": [float(w) for _, w in items],
                              "shares": np.nan, "cost": np.nan, "account": "",
                              "line": np.arange(1, len(items) + 1)})
        return cls(positions=frame, kind="weight", name=name)

    @classmethod
    def from_shares(cls, shares: Mapping[str, float] | pd.Series, *,
                    name: str = "portfolio") -> Holdings:
        """From ``{ticker: shares}`` (valued at the as-of close)."""
        items = list(pd.Series(shares, dtype=np.float64).items())
        frame = pd.DataFrame({"ticker": [str(t).upper() for t, _ in items],
                              "weight": np.nan, "shares": [float(s) for _, s in items],
                              "cost": np.nan, "account": "",
                              "line": np.arange(1, len(items) + 1)})
        return cls(positions=frame, kind="shares", name=name)

    @property
    def tickers(self) -> list[str]:
        """Held tickers (cash rows excluded), in file order, each once."""
        return [t for t in dict.fromkeys(self.positions["ticker"]) if t not in CASH_TICKERS]

    def _line_of(self, ticker: str) -> int | None:
        rows = self.positions.loc[self.positions["ticker"] == ticker, "line"]
        return int(rows.iloc[0]) if len(rows) else None

    def weights(self, prices: pd.Series | None = None, *, leverage: bool = False) -> pd.Series:
        """Portfolio weights per ticker (index: :attr:`tickers`), cash excluded.

        ``prices``: each ticker's close at the as-of date (needed for shares).

        Raises
        ------
        FileFormatError
            Weights summing above 1 or negative without ``leverage`` (naming the file).
        ParameterError
            Shares without prices for some tickers.
        """
        pos = self.positions
        held = pos[~pos["ticker"].isin(CASH_TICKERS)]
        if self.kind == "weight":
            w = (held.set_index("ticker")["weight"] if held["ticker"].is_unique
                 else held.groupby("ticker", sort=False)["weight"].sum())
            w = w.reindex(self.tickers)
            total = float(pos["weight"].sum())
            if not leverage:
                neg = w[w < 0]
                if len(neg):
                    t = str(neg.index[0])
                    raise FileFormatError(self.source, f"field weight: {t} has a negative "
                                          f"weight {neg.iloc[0]:g} (a short); pass --leverage "
                                          "(leverage=True) to allow it", self._line_of(t))
                if total > 1 + 1e-9:
                    hint = (" Weights are fractions: write 0.6 or 60%, not 60."
                            if total > 1.5 else "")
                    raise FileFormatError(self.source, f"field weight: the weights sum to "
                                          f"{total:.6g}, above 1 (leverage); pass --leverage "
                                          f"(leverage=True) to allow it.{hint}")
            return w.astype(np.float64)
        if prices is None:
            raise ParameterError("Holdings.weights(): shares need the as-of prices")
        shares = (held.set_index("ticker")["shares"] if held["ticker"].is_unique
                  else held.groupby("ticker", sort=False)["shares"].sum()).reindex(self.tickers)
        px = pd.Series(prices, dtype=np.float64).reindex(shares.index)
        if px.isna().any():
            missing = list(px.index[px.isna()])
            raise ParameterError("Holdings.weights(): no as-of price for "
                                 + ", ".join(missing))
        value = shares * px
        cash = float(pos.loc[pos["ticker"].isin(CASH_TICKERS), "shares"].sum())
        total = float(value.sum()) + cash
        if total <= 0:
            raise FileFormatError(self.source, "field shares: the holdings are worth 0 at the "
                                  "as-of close")
        return (value / total).astype(np.float64)

    def values(self, prices: pd.Series) -> pd.DataFrame:
        """Per ticker: shares, price, value, cost (sum over accounts), weight; for shares
        holdings (empty columns otherwise)."""
        held = self.positions[~self.positions["ticker"].isin(CASH_TICKERS)]
        if held["ticker"].is_unique:          # the usual case: no groupby needed
            agg = held.set_index("ticker")[["shares", "cost", "account"]].rename(
                columns={"account": "accounts"})
        else:
            g = held.groupby("ticker", sort=False)
            agg = pd.DataFrame({"shares": g["shares"].sum(min_count=1),
                                "cost": g["cost"].sum(min_count=1),
                                "accounts": g["account"].agg(
                                    lambda s: ",".join(sorted({a for a in s if a})))})
        agg = agg.reindex(self.tickers)
        agg["price"] = pd.Series(prices, dtype=np.float64).reindex(agg.index)
        agg["value"] = agg["shares"] * agg["price"]
        return agg


def move_weight(weights: pd.Series, amount: float, source: str, target: str) -> pd.Series:
    """Move ``amount`` of portfolio value (a fraction, 0.3 = 30% of the portfolio) from
    ``source`` to ``target``; ``CASH`` stands for the cash remainder.

    Raises
    ------
    ParameterError
        ``source`` not held, ``amount`` not in (0, weight of ``source``], source equal
        to target.
    """
    w = weights.astype(np.float64).copy()
    source, target = source.upper(), target.upper()
    if source == target:
        raise ParameterError(f"move: source and target are both {source}")
    if not (amount > 0):
        raise ParameterError(f"move: the amount must be above 0, got {amount:g}")
    cash = 1.0 - float(w.sum())
    have = cash if source in CASH_TICKERS else float(w.get(source, np.nan))
    if source not in CASH_TICKERS and source not in w.index:
        raise ParameterError(f"move: {source} is not held; held: {', '.join(w.index)}")
    if amount > have + 1e-12:
        raise ParameterError(f"move: cannot move {amount:.2%} out of {source}, which is "
                             f"{have:.2%} of the portfolio")
    if source not in CASH_TICKERS:
        w[source] = w[source] - amount
        if abs(w[source]) < 1e-15:
            w = w.drop(source)
    if target not in CASH_TICKERS:
        w[target] = float(w.get(target, 0.0)) + amount
    return w
