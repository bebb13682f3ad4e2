"""Stage 1 of the claim checker: candidate sentences and their subjects.

The checker works in three stages, each tested on its own:

1. :func:`find_candidates` (this module): every sentence of the document with its
   location, the instrument names it mentions (alias table), the period phrases it
   contains, the name lists in it ("Apple, Nvidia and Alphabet"), whether it refers back
   to the previous sentence's subjects ("They", "The stock", "These stocks"), and whether
   it can hold a claim at all (a figure or a claim word: "record", "led", "oversold",
   ...). Sentences that cannot are still passed on, so that context carries, but no rule
   is run on them.
2. :func:`rotascope.text.claims.patterns.parse_candidate`: the named rules turn a
   candidate into structured :class:`~rotascope.text.claims.model.Claim` objects (kind,
   instruments, period, stated value, direction, qualifier), with the subjects carried
   from the previous sentence when the candidate refers back.
3. :func:`rotascope.text.claims.verify.check_claims`: each claim is checked on the
   market view as of its own date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from ..aliases import AliasTable, Mention
from ..extract import Document, Sentence
from .dates import find_windows
from .model import WindowSpec

__all__ = ["Candidate", "find_candidates", "CLAIM_WORDS"]

#: Words that can carry a claim without a digit ("a record high", "energy led",
#: "oversold", "in a bear market", "the only Mag-7 name up").
CLAIM_WORDS = re.compile(
    r"\d|\b(?:record|all-time|overbought|oversold|bear\s+market|correction|best|worst|"
    r"top|bottom|led|leads|leading|lagged|lags|lagging|trailed|trails|only|strongest|"
    r"weakest|highest|lowest|biggest|largest|outperform\w*|underperform\w*|beat|beats|"
    r"outpaced|a\s+third|a\s+quarter|a\s+fifth|half|two-thirds|two\s+thirds|"
    r"three\s+quarters|reclaimed|lost\s+its|above|below|rising|falling|turning|"
    r"higher\s+highs|lower\s+lows|lower\s+highs|higher\s+lows|new\s+highs?|new\s+lows?|"
    r"doubled|tripled|quadrupled|halved|a\s+tenth|most|majority|percent|participation|"
    r"peaked|bottomed|topped|outnumber\w*|breadth)\b",
    re.I)
_WORDLIKE = re.compile(r"[A-Za-z$]{2,}")
_LIST_SEP = re.compile(r"\s*(?:,\s*(?:and\s+|as\s+well\s+as\s+)?|\s+and\s+|\s*&\s*|"
                       r"\s+as\s+well\s+as\s+|\s+plus\s+)(?:the\s+)?", re.I)


@dataclass(frozen=True)
class Candidate:
    """One sentence as stage 1 sees it.

    Attributes
    ----------
    sentence : the sentence (text, paragraph, index, paragraph line).
    mentions : instrument names found in it, in text order.
    windows : period phrases found in it: ``(WindowSpec, start, end)``.
    lists : runs of two or more mentions joined by ``,``/``and``/``&``.
    refers_back : True when it starts with a back-reference ("They", "The stock") and
        names no instrument before its first figure.
    can_claim : True when it holds a figure or a claim word (:data:`CLAIM_WORDS`) and at
        least two words.
    """

    sentence: Sentence
    mentions: tuple[Mention, ...]
    windows: tuple[tuple[WindowSpec, int, int], ...]
    lists: tuple[tuple[Mention, ...], ...]
    refers_back: bool
    can_claim: bool


def _lists(text: str, mentions: tuple[Mention, ...]) -> tuple[tuple[Mention, ...], ...]:
    out: list[tuple[Mention, ...]] = []
    run: list[Mention] = []
    for m in mentions:
        if run and _LIST_SEP.fullmatch(text[run[-1].end:m.start]):
            run.append(m)
            continue
        if len(run) > 1:
            out.append(tuple(run))
        run = [m]
    if len(run) > 1:
        out.append(tuple(run))
    return tuple(out)


def find_candidates(doc: Document, table: AliasTable) -> Iterator[Candidate]:
    """Every sentence of ``doc`` as a :class:`Candidate`, in reading order.

    Examples
    --------
    >>> from rotascope.text.extract import parse_document
    >>> from rotascope.text.aliases import load_aliases
    >>> doc = parse_document("Apple and Nvidia rallied. They are each up 10% this year.")
    >>> [(c.can_claim, c.refers_back, [m.ticker for m in c.mentions])
    ...  for c in find_candidates(doc, load_aliases())]
    [(False, False, ['AAPL', 'NVDA']), (True, True, [])]
    """
    from .patterns import _BACKREF

    for sentence in doc.sentences():
        text = sentence.text
        # A claim needs words as well as a figure ("Apple rose 2%"): table cells such as
        # "101.25" or "-3.1%" are passed on without running the rules.
        can = bool(CLAIM_WORDS.search(text)) and sum(
            1 for _ in islice(_WORDLIKE.finditer(text), 2)) == 2
        mentions = tuple(table.find(text))
        if not can and mentions and CLAIM_WORDS.search(text) and find_windows(text):
            can = True  # "TSLA +14.8% w/w": a name, a figure and a period are a claim
        # Periods are read in every sentence with words ("Yesterday was ugly." sets the
        # period of the figures after it), not only in those that can hold a claim.
        windows = tuple(find_windows(text)) if can or sum(
            1 for _ in islice(_WORDLIKE.finditer(text), 3)) == 3 else ()
        ref = _BACKREF.match(text)
        first_digit = re.search(r"\d", text)
        stop = first_digit.start() if first_digit else len(text)
        refers_back = bool(ref) and not any(m.start < stop for m in mentions)
        yield Candidate(sentence, mentions, windows, _lists(text, mentions), refers_back,
                        can)
