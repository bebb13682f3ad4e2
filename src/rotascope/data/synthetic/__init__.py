"""A seeded SYNTHETIC daily market with injected episodes and their ground truth.

It backs the signal benchmarks (up to 12,000 stocks x 25 years), the tests that check
signals find each episode near its true dates, and the offline demo
(``rotascope report --demo``). Everything it produces is labelled synthetic: instrument
names start with ``"Synthetic "``, :attr:`SyntheticMarket.label` is ``"SYNTHETIC"`` and the
provenance location is ``"synthetic:seed=N"``. See ``docs/synthetic.md``.

>>> from rotascope.data.synthetic import generate_market
>>> mkt = generate_market(tickers=60, days=800, seed=3)
>>> list(mkt.episodes["kind"])
['crash_weak_bounce', 'range', 'breakdown', 'rotation']
"""

from __future__ import annotations

from .episodes import DEFAULT_EPISODES, EPISODE_KINDS, Episode, EpisodeKind
from .market import SYNTHETIC_LABEL, SYNTHETIC_SOURCE, SyntheticMarket, generate_market

__all__ = [
    "DEFAULT_EPISODES",
    "EPISODE_KINDS",
    "Episode",
    "EpisodeKind",
    "SYNTHETIC_LABEL",
    "SYNTHETIC_SOURCE",
    "SyntheticMarket",
    "generate_market",
]
