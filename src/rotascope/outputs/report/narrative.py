"""Sentence generators: concise analyst phrasing, chosen deterministically from the data.

Every function here returns *templates*: text in which each number is a ``⟦id⟧``
placeholder of a figure the builder registered (so every printed number is in
``note.json``). Words are chosen from the figures' values (a 6% month "jumped", a 0.2%
one "was little changed"); where several phrasings fit, :meth:`Voice.pick` chooses one
from a hash of the note's date and the sentence's key, so the same data always reads
the same way while consecutive notes do not repeat themselves word for word.

Rules every sentence follows:

* it only states what a figure shows (a direction is named only when the figure has
  that sign; "broke out" only when a breakout was detected);
* a missing input is said plainly ("MAGS is not in the store"), never filled in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pandas as pd

__all__ = ["Voice", "move_verb", "direction_word", "join_words", "vote_word",
           "stance_phrase", "quadrant_phrase", "TICKER_NAMES", "name_of"]

#: Short names used in the text (tickers stay visible in tables).
TICKER_NAMES: dict[str, str] = {
    "SPY": "the S&P 500 (SPY)", "RSP": "the equal-weight S&P 500 (RSP)",
    "MAGS": "the Mag-7 ETF (MAGS)", "XMAG": "the S&P 500 ex-Mag-7 (XMAG)",
    "QQQ": "the Nasdaq-100 (QQQ)", "IWM": "small caps (IWM)",
    "VGK": "Europe (VGK)", "EWJ": "Japan (EWJ)", "EEM": "emerging markets (EEM)",
    "ACWX": "the world ex-US (ACWX)", "HYG": "high yield (HYG)",
    "IEF": "7-10 year Treasuries (IEF)", "VIXY": "VIX futures (VIXY)",
    "^TNX": "the 10-year Treasury yield (^TNX)", "UUP": "the dollar (UUP)",
    "GLD": "gold (GLD)", "TLT": "long Treasuries (TLT)", "IBIT": "bitcoin (IBIT)",
    "XLB": "materials (XLB)", "XLC": "communication services (XLC)",
    "XLE": "energy (XLE)", "XLF": "financials (XLF)", "XLI": "industrials (XLI)",
    "XLK": "technology (XLK)", "XLP": "staples (XLP)", "XLRE": "real estate (XLRE)",
    "XLU": "utilities (XLU)", "XLV": "health care (XLV)",
    "XLY": "consumer discretionary (XLY)",
}


def name_of(ticker: str) -> str:
    """A readable name for a ticker ("the S&P 500 (SPY)"), else the ticker itself."""
    return TICKER_NAMES.get(ticker, ticker)


class Voice:
    """Deterministic choice among equivalent phrasings for one note.

    Parameters
    ----------
    as_of : the note's date; part of every choice's hash so consecutive notes vary.

    Examples
    --------
    >>> v = Voice(pd.Timestamp("2024-06-28"))
    >>> v.pick("k", ["a", "b", "c"]) == v.pick("k", ["a", "b", "c"])
    True
    """

    def __init__(self, as_of: pd.Timestamp) -> None:
        self._seed = pd.Timestamp(as_of).strftime("%Y-%m-%d")

    def pick(self, key: str, options: Sequence[str]) -> str:
        if not options:
            raise ValueError("Voice.pick(): no options")
        h = hashlib.sha256(f"{self._seed}|{key}".encode()).digest()
        return options[int.from_bytes(h[:4], "big") % len(options)]


def move_verb(voice: Voice, key: str, value: float, *, flat: float = 0.003,
              big: float = 0.05) -> str:
    """A past-tense verb for a return: "jumped", "rose", "edged up", "was little changed",
    "eased", "fell", "slumped" (by size and sign of ``value``)."""
    if abs(value) <= flat:
        return voice.pick(key, ["was little changed", "barely moved", "was flat"])
    if value > 0:
        if value >= big:
            return voice.pick(key, ["jumped", "surged", "rallied"])
        if value >= 3 * flat:
            return voice.pick(key, ["rose", "gained", "climbed", "advanced"])
        return voice.pick(key, ["edged up", "inched higher", "firmed"])
    if value <= -big:
        return voice.pick(key, ["slumped", "tumbled", "sank"])
    if value <= -3 * flat:
        return voice.pick(key, ["fell", "dropped", "lost ground", "declined"])
    return voice.pick(key, ["eased", "slipped", "dipped"])


def direction_word(value: float, up: str = "above", down: str = "below",
                   flat: str = "at") -> str:
    """``up`` for a positive value, ``down`` for a negative one, ``flat`` for zero."""
    if value > 0:
        return up
    if value < 0:
        return down
    return flat


def join_words(items: Sequence[str], conj: str = "and") -> str:
    """"a", "a and b", "a, b and c"."""
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {conj} " + items[-1]


def vote_word(group: str, vote: int | None) -> str:
    """The meaning of a vote: "risk-on", "narrow", "neutral", "no data"."""
    from ...analysis.regime import LEANS

    if vote is None:
        return "no data"
    if vote == 0:
        return "neutral"
    up, down = LEANS.get(group, ("+", "-"))
    return up if vote > 0 else down


def stance_phrase(stance: str) -> str:
    return {"for": "supports the call", "against": "argues against it",
            "neutral": "is neutral", "no data": "has no data"}.get(stance, stance)


def quadrant_phrase(quadrant: str | None) -> str:
    """What a relative-rotation quadrant means, in words."""
    return {"leading": "leading (strong and strengthening)",
            "weakening": "weakening (strong but losing momentum)",
            "lagging": "lagging (weak and weakening)",
            "improving": "improving (weak but gaining momentum)"}.get(
        quadrant or "", "not yet placed (too little history)")
