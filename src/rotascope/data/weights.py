"""Index weights files (``ticker,weight,as_of``) for cap-weighted baskets and
contributions (:mod:`rotascope.analysis.concentration`)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import FileFormatError
from .model import normalize_ticker

__all__ = ["read_weights"]


def read_weights(path: str | Path) -> pd.DataFrame:
    """Read a weights file: CSV with columns ``ticker,weight,as_of``.

    Weights are fractions (0.071) or percent (7.1): a column whose values sum to more
    than 1.5 is read as percent. Tickers are normalised (``BRK.B`` -> ``BRK-B``).

    Returns
    -------
    DataFrame with columns ticker, weight (fraction), as_of (Timestamp).

    Raises
    ------
    FileFormatError
        Missing column, unparsable number or date, negative weight, duplicated ticker
        (file:line).
    """
    path = Path(path)
    try:
        fh = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise FileFormatError(path, f"cannot read: {exc.strerror or exc}") from None
    rows: list[tuple[str, float, pd.Timestamp]] = []
    seen: dict[str, int] = {}
    with fh:
        reader = csv.reader(fh)
        header = [h.strip().lower() for h in next(reader, [])]
        need = ("ticker", "weight", "as_of")
        if any(h not in header for h in need):
            raise FileFormatError(path, f"header must have columns {','.join(need)}, got "
                                  f"{','.join(header) or '(empty)'}", 1)
        pos = {h: header.index(h) for h in need}
        for fields in reader:
            line = reader.line_num
            if not any(x.strip() for x in fields):
                continue
            if len(fields) != len(header):
                raise FileFormatError(path, f"expected {len(header)} fields, got "
                                      f"{len(fields)}", line)
            raw = fields[pos["ticker"]].strip()
            if not raw:
                raise FileFormatError(path, "empty ticker", line)
            t = normalize_ticker(raw)
            try:
                w = float(fields[pos["weight"]])
            except ValueError:
                raise FileFormatError(path, f"weight {fields[pos['weight']]!r} is not a "
                                      "number", line) from None
            if not np.isfinite(w) or w < 0:
                raise FileFormatError(path, f"weight must be >= 0, got {w}", line)
            try:
                d = pd.Timestamp(fields[pos["as_of"]].strip()).normalize()
            except ValueError:
                raise FileFormatError(path, f"as_of {fields[pos['as_of']]!r} is not a date "
                                      "like 2025-06-30", line) from None
            if t in seen:
                raise FileFormatError(path, f"{t} already on line {seen[t]}", line)
            seen[t] = line
            rows.append((t, w, d))
    if not rows:
        raise FileFormatError(path, "no weights after the header", 2)
    out = pd.DataFrame(rows, columns=["ticker", "weight", "as_of"])
    if out["weight"].sum() > 1.5:
        out["weight"] = out["weight"] / 100.0
    return out
