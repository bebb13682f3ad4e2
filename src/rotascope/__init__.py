"""rotascope: market-rotation research from daily prices.

The public API is listed in ``__all__`` (kept exact by a test). Names are imported
lazily on first use so ``import rotascope`` stays fast and side-effect free.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it ("module:attribute" when the names differ)
_EXPORTS: dict[str, str] = {
    "market": "rotascope.market_view",
    "MarketView": "rotascope.market_view",
    "sma": "rotascope.signals.averages",
    "ema": "rotascope.signals.averages",
    "rsi": "rotascope.signals.momentum",
    "breadth": "rotascope.analysis.breadth:breadth_report",
    "regime": "rotascope.analysis.regime",
    "Settings": "rotascope.config",
    "Store": "rotascope.data.store",
    "import_path": "rotascope.data.importer",
    "check_store": "rotascope.data.quality",
    "Universe": "rotascope.data.universes",
    "resolve_universe": "rotascope.data.universes",
    "membership_mask": "rotascope.data.universes",
    "align": "rotascope.data.align",
    "generate_market": "rotascope.data.synthetic",
    "SyntheticMarket": "rotascope.data.synthetic",
    "RotascopeError": "rotascope.errors",
    "perf": "rotascope.analysis.perf",
    "ratio_status": "rotascope.analysis.ratio",
    "ratio_history": "rotascope.analysis.ratio",
    "load_rules": "rotascope.analysis.regime",
    "regime_history": "rotascope.analysis.regime",
    "read_document": "rotascope.text.extract",
    "sentiment": "rotascope.text.sentiment",
    "check_document": "rotascope.text.claims.verify",
    "breadth_history": "rotascope.analysis.breadth",
    "breadth_report": "rotascope.analysis.breadth",
    "rrg": "rotascope.analysis.rotation",
    "pairs_table": "rotascope.analysis.pairs",
    "bitcoin_check": "rotascope.analysis.pairs",
    "concentration_report": "rotascope.analysis.concentration",
    "leaders_report": "rotascope.analysis.leaders",
    "build_report": "rotascope.outputs.report",
    "write_report": "rotascope.outputs.report",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rotascope' has no attribute {name!r}")
    module, _, attr = module.partition(":")
    value = getattr(importlib.import_module(module), attr or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
