"""Type aliases shared across rotascope."""

from __future__ import annotations

from datetime import date
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd

#: Wide matrix of prices: DatetimeIndex (sorted, unique) x ticker columns, float64.
PriceFrame: TypeAlias = pd.DataFrame | pd.Series
#: Same shape as a PriceFrame but holding simple returns.
ReturnFrame: TypeAlias = pd.DataFrame | pd.Series
#: Anything the validators accept as a date.
DateLike: TypeAlias = str | date | pd.Timestamp | np.datetime64

Smoothing = Literal["wilder", "sma", "ema"]
#: What a windowed signal does with a NaN close inside the data.
#: "skip": NaN rows are gaps; windows count each ticker's own valid rows and the output
#: at a NaN row is NaN. "propagate": a NaN inside the window makes the output NaN (TA-Lib).
Missing = Literal["skip", "propagate"]
#: How several series are put on one date index.
Join = Literal["exact", "inner", "outer", "left"]
