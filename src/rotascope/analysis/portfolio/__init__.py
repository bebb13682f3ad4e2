"""Portfolio analytics: how exposed a portfolio is to the Mag-7 and to the rotation, and
what happens if it moves.

* :class:`Holdings` (weights or shares; the rest is cash);
* :func:`analyze_portfolio` -> :class:`PortfolioAnalysis` (metrics, exposure with
  Mag-7 look-through and style estimates, factor betas on the rotation spreads, Euler
  risk contributions, concentration, correlation, historical and factor scenarios);
* :func:`what_if` -> :class:`WhatIf` (every figure before and after moves);
* :func:`portfolio_note_section` (the data of the weekly note's portfolio section).

Point in time: every function reads a :class:`~rotascope.market_view.MarketView`, which
holds nothing after its as-of date.
"""

from .analyze import (
    PortfolioAnalysis,
    WhatIf,
    analyze_portfolio,
    analyze_weights,
    parse_move,
    portfolio_note_section,
    what_if,
)
from .exposure import MAG7, MAG7_BASIS, STYLE_BASIS, StyleFit, style_analysis
from .holdings import CASH_TICKERS, Holdings, move_weight
from .metrics import METRICS, common_returns, performance_metrics
from .risk import FACTORS, concentration, ols_betas, risk_contribution
from .scenarios import EPISODES, SHOCKS, replay_episodes

__all__ = ["Holdings", "CASH_TICKERS", "move_weight", "PortfolioAnalysis", "analyze_portfolio",
           "analyze_weights", "WhatIf", "what_if", "parse_move", "portfolio_note_section",
           "MAG7", "MAG7_BASIS", "STYLE_BASIS", "StyleFit", "style_analysis", "METRICS",
           "common_returns", "performance_metrics", "FACTORS", "concentration", "ols_betas",
           "risk_contribution", "EPISODES", "SHOCKS", "replay_episodes"]
